import { randomUUID } from "node:crypto";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { IngestQueue } from "../../ports/ingest-queue.ts";

export interface LocalQueueOptions {
  /** Messages handled at once, like concurrent Lambda invocations. */
  concurrency: number;
  /** Deliveries before a message goes to the dead-letter list (the queue's maxReceiveCount). */
  maxReceiveCount: number;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
}

/**
 * An in-process stand-in for the SQS queue between the bucket and the ingest function: it
 * delivers each message to the same handler Lambda runs, one message per batch, redelivers the
 * failures a partial batch response names and dead-letters them after maxReceiveCount.
 */
export class LocalQueue implements IngestQueue {
  readonly deadLetters: { body: string; receiveCount: number }[] = [];
  private readonly pending: { body: string; receiveCount: number; messageId: string }[] = [];
  private running = 0;
  private delivered = 0;
  private idleWaiters: (() => void)[] = [];
  private processedWaiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly options: LocalQueueOptions) {}

  get processed(): number {
    return this.delivered;
  }

  send(body: string): void {
    this.pending.push({ body, receiveCount: 0, messageId: randomUUID() });
    this.pump();
  }

  async sendBatch(bodies: readonly string[]): Promise<void> {
    for (const body of bodies) this.send(body);
  }

  async backlog(): Promise<number> {
    return this.pending.length + this.running;
  }

  /** Resolves once `count` messages have been handled (or dead-lettered): a producer's back-pressure. */
  processedAtLeast(count: number): Promise<void> {
    if (this.delivered >= count) return Promise.resolve();
    return new Promise((resolve) => this.processedWaiters.push({ count, resolve }));
  }

  /** Resolves when nothing is pending or in flight. */
  drained(): Promise<void> {
    if (this.pending.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.pending.length > 0) {
      const message = this.pending.shift()!;
      this.running++;
      void this.deliver(message).finally(() => {
        this.running--;
        this.processedWaiters = this.processedWaiters.filter((w) => (w.count <= this.delivered ? (w.resolve(), false) : true));
        this.pump();
        if (this.pending.length === 0 && this.running === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private async deliver(message: { body: string; receiveCount: number; messageId: string }): Promise<void> {
    message.receiveCount++;
    const record = { messageId: message.messageId, body: message.body, attributes: { ApproximateReceiveCount: String(message.receiveCount) } } as unknown as SQSRecord;
    let failed: boolean;
    try {
      const response = await this.options.handler({ Records: [record] });
      failed = response.batchItemFailures.some((f) => f.itemIdentifier === message.messageId);
    } catch {
      failed = true;
    }
    if (!failed) {
      this.delivered++;
    } else if (message.receiveCount >= this.options.maxReceiveCount) {
      this.deadLetters.push({ body: message.body, receiveCount: message.receiveCount });
      this.delivered++;
    } else {
      this.pending.push(message);
    }
  }
}
