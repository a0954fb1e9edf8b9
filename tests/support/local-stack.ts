import { startEmbeddedServices, type EmbeddedServices } from "../../lib/adapters/local/embedded-services.ts";
import { LocalQueue } from "../../lib/adapters/local/local-queue.ts";
import { runtimeFromEnv, type Runtime } from "../../lib/adapters/runtime.ts";
import { silentLogger } from "../../lib/log.ts";
import type { IngestOutcome } from "../../lib/use-cases/ingest-object.ts";
import { createIngestHandler } from "../../functions/ingest/handler.ts";

export interface LocalStack {
  services: EmbeddedServices;
  runtime: Runtime;
  outcomes: Map<string, IngestOutcome[]>;
  /** The queue between the bucket's notifications and the ingest handler. */
  queue: LocalQueue;
  /** Off: uploads are stored without notifying the queue (objects that were there before the pipeline). */
  notifications(enabled: boolean): void;
  /** Puts an object into the embedded bucket (its notification then drives the ingest handler). */
  upload(key: string, body: string | Uint8Array, metadata?: Record<string, string>): Promise<void>;
  /** Waits until every notification so far has been handled. */
  settle(expectedDeliveries: number): Promise<void>;
  stop(): Promise<void>;
}

/** s3rver + dynalite on 127.0.0.1, the ingest handler behind a local queue: the AWS path over HTTP. */
export async function startLocalStack(config: Record<string, unknown> = {}): Promise<LocalStack> {
  const services = await startEmbeddedServices();
  const runtime = await runtimeFromEnv(
    {
      RECONTACT_BUCKET: services.bucket,
      RECONTACT_TABLE: services.table,
      RECONTACT_S3_ENDPOINT: services.s3Endpoint,
      RECONTACT_DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
      RECONTACT_HASH_SECRET: "integration-test-secret-0123456789",
      RECONTACT_CONFIG: JSON.stringify(config),
    },
    { log: silentLogger },
  );
  const outcomes = new Map<string, IngestOutcome[]>();
  const record = (key: string, outcome: IngestOutcome) => outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
  const queue = new LocalQueue({ concurrency: 4, maxReceiveCount: 3, handler: createIngestHandler(runtime, record) });
  let notify = true;
  services.onObjectCreated((body) => notify && queue.send(body));
  return {
    services,
    runtime,
    outcomes,
    queue,
    notifications: (enabled) => void (notify = enabled),
    upload: (key, body, metadata) => runtime.objects.put(key, body, metadata ? { metadata } : {}),
    async settle(expected) {
      const deadline = Date.now() + 60_000;
      while (queue.processed < expected) {
        if (Date.now() > deadline) throw new Error(`only ${queue.processed} of ${expected} deliveries handled`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await queue.drained();
    },
    stop: () => services.stop(),
  };
}

let sequence = 0;

/** A native-envelope transcript whose customer words say `text`. */
export function envelope(fields: {
  contactId?: string;
  customerId: string;
  startedAt: string;
  text: string;
  channel?: string;
  agentId?: string;
  initiation?: string;
  disposition?: string;
}): string {
  return JSON.stringify({
    schema: "recontact.transcript/v1",
    contactId: fields.contactId ?? `c-${++sequence}`,
    customer: { id: fields.customerId },
    channel: fields.channel ?? "voice",
    startedAt: fields.startedAt,
    language: "en",
    agent: { id: fields.agentId ?? "a-1", team: "team-1" },
    initiation: fields.initiation ?? "inbound",
    disposition: fields.disposition ?? "completed",
    turns: [
      { speaker: "agent", text: "Good morning, how can I help you?" },
      { speaker: "customer", text: fields.text },
    ],
  });
}
