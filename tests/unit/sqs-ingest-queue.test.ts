import { SQSClient, type SendMessageBatchCommandInput } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { SqsIngestQueue } from "../../lib/adapters/sqs-ingest-queue.ts";

/**
 * No SQS server runs locally (s3rver and dynalite have no SQS sibling that speaks the SDK's JSON
 * protocol), so the SDK is answered by a middleware: what is asserted is what the adapter sends.
 */
function stubbedSqs(answer: (command: string, input: Record<string, unknown>) => Record<string, unknown>) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const sqs = new SQSClient({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  sqs.middlewareStack.add(
    () => async (args) => {
      const command = "Entries" in (args.input as object) ? "SendMessageBatch" : "GetQueueAttributes";
      const input = structuredClone(args.input) as Record<string, unknown>;
      sent.push({ command, input });
      return { output: { $metadata: {}, ...answer(command, input) }, response: {} };
    },
    { step: "initialize", name: "answer" },
  );
  return { sqs, sent };
}
const noWait = async () => {};
const ids = (input: Record<string, unknown>) => (input as unknown as SendMessageBatchCommandInput).Entries!.map((e) => e.MessageBody);

describe("SQS ingest queue", () => {
  it("sends one SendMessageBatch, and again only the entries SQS failed for a passing reason", async () => {
    let call = 0;
    const { sqs, sent } = stubbedSqs(() => (call++ === 0 ? { Failed: [{ Id: "1", SenderFault: false, Code: "InternalError" }, { Id: "3", SenderFault: false, Code: "ThrottlingException" }] } : {}));
    await new SqsIngestQueue(sqs, "https://sqs/q", noWait).sendBatch(["a", "b", "c", "d"]);
    expect(sent.map((s) => ids(s.input))).toEqual([["a", "b", "c", "d"], ["b", "d"]]);
    expect(sent[0]!.input.QueueUrl).toBe("https://sqs/q");
  });

  it("gives up with ENQUEUE_REFUSED on a sender fault and ENQUEUE_FAILED after repeated failures", async () => {
    const refused = stubbedSqs(() => ({ Failed: [{ Id: "0", SenderFault: true, Code: "InvalidMessageContents" }] }));
    await expect(new SqsIngestQueue(refused.sqs, "q", noWait).sendBatch(["x"])).rejects.toMatchObject({ code: "ENQUEUE_REFUSED", retryable: true });
    expect(refused.sent).toHaveLength(1);
    const failing = stubbedSqs(() => ({ Failed: [{ Id: "0", SenderFault: false, Code: "ServiceUnavailable" }] }));
    await expect(new SqsIngestQueue(failing.sqs, "q", noWait).sendBatch(["x"])).rejects.toMatchObject({ code: "ENQUEUE_FAILED" });
    expect(failing.sent).toHaveLength(5);
  });

  it("refuses more than ten messages in a batch", async () => {
    const { sqs } = stubbedSqs(() => ({}));
    await expect(new SqsIngestQueue(sqs, "q", noWait).sendBatch(Array.from({ length: 11 }, String))).rejects.toThrow(RangeError);
  });

  it("counts waiting, in-flight and delayed messages as the backlog", async () => {
    const { sqs } = stubbedSqs(() => ({ Attributes: { ApproximateNumberOfMessages: "7", ApproximateNumberOfMessagesNotVisible: "3", ApproximateNumberOfMessagesDelayed: "1" } }));
    expect(await new SqsIngestQueue(sqs, "q", noWait).backlog()).toBe(11);
  });
});
