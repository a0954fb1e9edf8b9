import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLogger } from "../../lib/log.ts";
import { emfMetrics, METRICS_NAMESPACE } from "../../lib/metrics.ts";
import { envelope, startLocalStack, type LocalStack } from "../support/local-stack.ts";

/**
 * What an ingest writes to its log (the function's CloudWatch log group in AWS): structured JSON
 * lines and EMF metric documents, and nothing a customer said or a raw identifier of theirs.
 */
const PHONE = "+31 6 2222 3333";
const EMAIL = "Sofie.deVries@Example.com";
const SAID = "Hi, this is Jan Jansen, my email is jan.jansen@example.com and my number is 06 2222 3333. I returned the jacket three weeks ago and never got my refund.";
const UPLOADS = [
  { key: "transcripts/obs/1.json", body: envelope({ contactId: "o-1", customerId: PHONE, startedAt: "2026-11-02T09:00:00.000Z", text: SAID }) },
  { key: "transcripts/obs/2.json", body: envelope({ contactId: "o-2", customerId: "0622223333", startedAt: "2026-11-03T09:00:00.000Z", text: SAID }) },
  { key: "transcripts/obs/3.json", body: envelope({ contactId: "o-3", customerId: EMAIL, startedAt: "2026-11-03T10:00:00.000Z", text: "I forgot my password and my account is locked." }) },
  // Broken JSON around a customer's words and phone number.
  { key: "transcripts/obs/broken.json", body: `{"schema":"recontact.transcript/v1","customer":{"id":"+31 6 4444 5555"},"turns":[{"text":"Jansen here, my secret words` },
];
/** Nothing of these may reach a log line: what was said, and every form of the identifiers. */
const FORBIDDEN = ["Jansen", "jan.jansen", "jacket", "secret words", "2222", "3333", "4444 5555", "44445555", "sofie", "Sofie", "example.com"];

describe("ingest logs and metrics", () => {
  let stack: LocalStack;
  const lines: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack(
      { defaultCountry: "NL", timeZone: "Europe/Amsterdam" },
      {
        // Every message twice, one at a time: the second copy is a redelivery of a finished ingest.
        copies: 2,
        concurrency: 1,
        log: jsonLogger((line) => lines.push(line), "debug"),
        metrics: emfMetrics((line) => lines.push(line), "recontact-ingest"),
      },
    );
    for (const { key, body } of UPLOADS) await stack.upload(key, body);
    await stack.settle(UPLOADS.length);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("writes only JSON lines, with no transcript text and no raw customer identifier", () => {
    expect(lines.length).toBeGreaterThan(UPLOADS.length);
    for (const line of lines) {
      expect(() => JSON.parse(line), line).not.toThrow();
      for (const text of FORBIDDEN) expect(line, `"${text}" in a log line`).not.toContain(text);
    }
    const messages = lines.map((l) => JSON.parse(l) as { message?: string; step?: string });
    expect(messages.filter((m) => m.message === "ingested")).toHaveLength(3);
    expect(messages.filter((m) => m.message === "quarantined")).toHaveLength(1);
    // The second copy of each finished message was recognised, not ingested again.
    expect(messages.filter((m) => m.message === "already ingested")).toHaveLength(UPLOADS.length);
  });

  it("emits contacts ingested, quarantined, repeats found and classification latency as EMF", () => {
    const documents = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((d) => d._aws !== undefined);
    expect(documents.length).toBeGreaterThan(0);
    const sum = (name: string) => documents.reduce((n, d) => n + (typeof d[name] === "number" ? (d[name] as number) : 0), 0);
    const observations = (name: string) => documents.flatMap((d) => (Array.isArray(d[name]) ? (d[name] as number[]) : []));
    for (const document of documents) {
      const [directive] = (document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }).CloudWatchMetrics;
      expect(directive!.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive!.Dimensions).toEqual([["FunctionName"]]);
      expect(document.FunctionName).toBe("recontact-ingest");
      // Every metric a directive names has its value in the document.
      for (const { Name } of directive!.Metrics) expect(document[Name]).toBeDefined();
    }
    expect(sum("ContactsIngested")).toBe(3);
    expect(sum("ContactsQuarantined")).toBe(1);
    expect(sum("RepeatsFound")).toBe(1);
    const latencies = observations("ClassificationLatency");
    expect(latencies).toHaveLength(3);
    for (const ms of latencies) expect(ms).toBeGreaterThan(0);
  });
});
