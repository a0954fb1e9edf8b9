import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { InfrastructureError } from "../errors.ts";
import { MAX_SEND_BATCH, type IngestQueue } from "../ports/ingest-queue.ts";

/** Sends of the entries SQS refused for a passing reason (throttling, an internal error). */
const MAX_ATTEMPTS = 5;

/**
 * The SQS client of the backfill command. It lives here, not in aws-clients.ts: the functions
 * never send to SQS, and an import there would load the SQS client in every function's cold start
 * (the bundles keep `@aws-sdk/*` external).
 */
export function createSqsClient(options: { region?: string } = {}): SQSClient {
  return new SQSClient({ region: options.region ?? process.env.AWS_REGION ?? "us-east-1" });
}

/** The ingest queue in AWS: SendMessageBatch, with the entries a batch failed sent again. */
export class SqsIngestQueue implements IngestQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async sendBatch(bodies: readonly string[]): Promise<void> {
    if (bodies.length > MAX_SEND_BATCH) throw new RangeError(`at most ${MAX_SEND_BATCH} messages in one batch, got ${bodies.length}`);
    let entries = bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
      const failed = out.Failed ?? [];
      // A sender fault (a body too large, a bad attribute) fails the same way every time.
      const refused = failed.find((f) => f.SenderFault);
      if (refused) throw new InfrastructureError("ENQUEUE_REFUSED", `the ingest queue refused a message: ${refused.Code ?? "?"} ${refused.Message ?? ""}`.trim());
      const retry = new Set(failed.map((f) => f.Id));
      entries = entries.filter((e) => retry.has(e.Id));
      if (entries.length === 0) return;
      if (attempt >= MAX_ATTEMPTS) {
        throw new InfrastructureError("ENQUEUE_FAILED", `${entries.length} message(s) not accepted by the ingest queue after ${MAX_ATTEMPTS} attempts (${failed[0]?.Code ?? "?"})`);
      }
      await this.sleep(100 * 2 ** attempt);
    }
  }

  async backlog(): Promise<number> {
    const out = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
      }),
    );
    return Object.values(out.Attributes ?? {}).reduce((sum, n) => sum + Number(n ?? 0), 0);
  }
}
