import { createAwsClients, type AwsClients, type ClientOptions } from "../../lib/adapters/aws-clients.ts";
import { DynamoDbContactStore } from "../../lib/adapters/dynamodb-contact-store.ts";
import { startEmbeddedServices, type EmbeddedServices } from "../../lib/adapters/local/embedded-services.ts";
import { LocalQueue } from "../../lib/adapters/local/local-queue.ts";
import { baseRuntimeFromEnv, runtimeFromEnv, type Runtime, type RuntimeEnv } from "../../lib/adapters/runtime.ts";
import { S3ObjectStore } from "../../lib/adapters/s3-object-store.ts";
import { silentLogger, type Logger } from "../../lib/log.ts";
import type { Metrics } from "../../lib/metrics.ts";
import type { IngestOutcome } from "../../lib/use-cases/ingest-object.ts";
import { createIngestHandler } from "../../functions/ingest/handler.ts";

export const TEST_HASH_SECRET = "integration-test-secret-0123456789";

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

export interface LocalStackOptions {
  /** Environment variables over the local ones (e.g. the model registry's TTL). */
  env?: Record<string, string>;
  /** Messages handled at once (concurrent ingest functions). @default 4 */
  concurrency?: number;
  /** Deliveries before a message is dead-lettered. @default 3 */
  maxReceiveCount?: number;
  /** How many times the queue receives each notification (at-least-once delivery). @default 1 */
  copies?: number;
  /** Models, secret and clock of an earlier stack: loading the models once saves seconds per stack. */
  reuse?: Runtime;
  clock?: () => Date;
  log?: Logger;
  metrics?: Metrics;
  /**
   * The stores are built on clients made here, with these options, and handed to `instrument`
   * first (fault injection adds SDK middleware to them).
   */
  clients?: Pick<ClientOptions, "retryStrategy">;
  instrument?: (clients: AwsClients) => void;
  /** Wraps the ingest handler (e.g. to bring a "crashed" process back after a delivery). */
  wrapHandler?: (handler: ReturnType<typeof createIngestHandler>) => ReturnType<typeof createIngestHandler>;
}

/** s3rver + dynalite on 127.0.0.1, the ingest handler behind a local queue: the AWS path over HTTP. */
export async function startLocalStack(config: Record<string, unknown> = {}, options: LocalStackOptions = {}): Promise<LocalStack> {
  const services = await startEmbeddedServices();
  const env: RuntimeEnv = { ...localEnv(services, config), ...options.env };
  const overrides = {
    log: options.log ?? silentLogger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  let runtime: Runtime = options.reuse
    ? { ...options.reuse, ...baseRuntimeFromEnv(env, overrides) }
    : await runtimeFromEnv(env, overrides);
  // Uploads stand for the contact center writing to the bucket: never through injected faults.
  const uploads = runtime.objects;
  if (options.instrument || options.clients) {
    const clients = createAwsClients({ s3Endpoint: services.s3Endpoint, dynamodbEndpoint: services.dynamodbEndpoint, ...options.clients });
    options.instrument?.(clients);
    runtime = {
      ...runtime,
      objects: new S3ObjectStore(clients.s3, services.bucket),
      contacts: new DynamoDbContactStore(clients.dynamodb, services.table, runtime.config.retentionDays),
    };
  }
  const outcomes = new Map<string, IngestOutcome[]>();
  const record = (key: string, outcome: IngestOutcome) => outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
  const handler = createIngestHandler(runtime, record);
  const queue = new LocalQueue({
    concurrency: options.concurrency ?? 4,
    maxReceiveCount: options.maxReceiveCount ?? 3,
    handler: options.wrapHandler ? options.wrapHandler(handler) : handler,
  });
  const copies = options.copies ?? 1;
  let notify = true;
  services.onObjectCreated((body) => {
    if (!notify) return;
    for (let i = 0; i < copies; i++) queue.send(body);
  });
  return {
    services,
    runtime,
    outcomes,
    queue,
    notifications: (enabled) => void (notify = enabled),
    upload: (key, body, metadata) => uploads.put(key, body, metadata ? { metadata } : {}),
    async settle(expected) {
      const deadline = Date.now() + 60_000;
      while (queue.processed < expected * copies) {
        if (Date.now() > deadline) throw new Error(`only ${queue.processed} of ${expected * copies} deliveries handled`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await queue.drained();
    },
    stop: () => services.stop(),
  };
}

/** The environment the functions read, pointed at the embedded services. */
export function localEnv(services: EmbeddedServices, config: Record<string, unknown> = {}): RuntimeEnv & Record<string, string> {
  return {
    RECONTACT_BUCKET: services.bucket,
    RECONTACT_TABLE: services.table,
    RECONTACT_S3_ENDPOINT: services.s3Endpoint,
    RECONTACT_DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
    RECONTACT_HASH_SECRET: TEST_HASH_SECRET,
    RECONTACT_CONFIG: JSON.stringify(config),
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

/** A contact trace record as Kinesis Firehose writes it: inbound, answered by `agent` a minute in. */
export function contactTraceRecord(fields: {
  contactId: string;
  customer: string;
  initiatedAt: string;
  updatedAt: string;
  disconnectedAt?: string;
  agent?: string;
  queue?: string;
}): string {
  const answered = new Date(Date.parse(fields.initiatedAt) + 60_000).toISOString();
  return JSON.stringify({
    ContactId: fields.contactId,
    Channel: "VOICE",
    InitiationMethod: "INBOUND",
    InitiationTimestamp: fields.initiatedAt,
    ...(fields.disconnectedAt ? { DisconnectTimestamp: fields.disconnectedAt } : {}),
    LastUpdateTimestamp: fields.updatedAt,
    CustomerEndpoint: { Address: fields.customer, Type: "TELEPHONE_NUMBER" },
    Agent: { Username: fields.agent ?? "a-2", ConnectedToAgentTimestamp: answered },
    Queue: { Name: fields.queue ?? "billing" },
  });
}
