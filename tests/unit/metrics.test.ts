import { describe, expect, it } from "vitest";
import { emfMetrics } from "../../lib/metrics.ts";

describe("EMF metrics", () => {
  const at = new Date("2026-11-16T09:00:00.000Z");

  it("writes one document per flush with the recorded counts and observations, then starts over", () => {
    const lines: string[] = [];
    const metrics = emfMetrics((line) => lines.push(line), "fn", () => at);
    metrics.count("contactsIngested");
    metrics.count("contactsIngested", 2);
    metrics.observe("classificationLatency", 12.3456);
    metrics.flush();
    metrics.flush();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      _aws: {
        Timestamp: at.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: "Recontact",
            Dimensions: [["FunctionName"]],
            Metrics: [
              { Name: "ContactsIngested", Unit: "Count" },
              { Name: "ClassificationLatency", Unit: "Milliseconds" },
            ],
          },
        ],
      },
      FunctionName: "fn",
      ContactsIngested: 3,
      ClassificationLatency: [12.35],
    });
  });

  it("spreads more than 100 observations over several documents, as EMF requires", () => {
    const lines: string[] = [];
    const metrics = emfMetrics((line) => lines.push(line), "fn", () => at);
    for (let i = 0; i < 250; i++) metrics.observe("classificationLatency", i);
    metrics.count("repeatsFound");
    metrics.flush();
    const documents = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(documents.map((d) => (d.ClassificationLatency as number[]).length)).toEqual([100, 100, 50]);
    expect(documents.map((d) => d.RepeatsFound)).toEqual([1, undefined, undefined]);
    expect(documents.flatMap((d) => d.ClassificationLatency as number[])).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });
});
