import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { comprehendUnits, expectedBatch, monthlyCost, PricesSchema, type CostInputs } from "../../bench/support/cost-model.ts";

const prices = PricesSchema.parse(JSON.parse(readFileSync(new URL("../../bench/prices.json", import.meta.url), "utf8")));

const inputs: CostInputs = {
  measured: {
    lambdaSecondsPerContact: 0.2,
    reportSecondsPerContactRead: 0.0001,
    reportFixedSeconds: 0.5,
    s3PutsPerContact: 1,
    s3ReadsPerContact: 2,
    objectBytes: 4096,
    dynamoWriteUnitsPerContact: 10,
    dynamoReadUnitsPerContact: 3,
    reportReadUnitsPerContactRead: 0.25,
    dynamoBytesPerContact: 4096,
    logBytesPerContact: 300,
    averageCharacters: 2950,
  },
  deployment: { ingestMemoryMb: 1024, reportMemoryMb: 1536, batchSize: 10, batchingWindowSeconds: 5, s3RetentionDays: 365, tableRetentionDays: 400, logRetentionDays: 90, reportReadsPerContact: 16, reportInvocationsPerMonth: 4.35, reportsPerRun: 2, kmsKeys: 4, secrets: 1, alarms: 6 },
  assumptions: { averageCallMinutes: 6, arrivalSecondsPerMonth: 792_000, idleSqsRequestsPerMonth: 648_000, platformLogBytesPerInvocation: 350, accessLogBytesPerRequest: 350 },
};

describe("cost model", () => {
  it("reads the price list with its region and date", () => {
    expect(prices.region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    expect(prices.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("fills SQS batches only as far as the arrival rate and the batching window allow", () => {
    expect(expectedBatch(100_000, inputs)).toBe(1); // 0.13 a second: every batch leaves alone
    expect(expectedBatch(1_000_000, inputs)).toBeCloseTo(6.31, 2);
    expect(expectedBatch(10_000_000, inputs)).toBe(10);
  });

  it("bills Comprehend in 100-character units, at least three a document", () => {
    expect(comprehendUnits(40, prices)).toBe(3);
    expect(comprehendUnits(2950, prices)).toBe(30);
  });

  it("prices each component from the per-contact figures, fixed costs staying fixed", () => {
    const table = monthlyCost(inputs, prices, [1_000_000, 10_000_000]);
    const line = (name: string) => table.lines.find((l) => l.component === name)!.monthly;
    expect(line("DynamoDB writes")[0]).toBeCloseTo(10 * prices.dynamodb.onDemandPerMillionWriteRequestUnits, 6);
    expect(line("Lambda ingest, compute")[0]).toBeCloseTo(1e6 * 0.2 * 1 * prices.lambda.arm64PerGbSecond, 6);
    expect(line("DynamoDB writes")[1]).toBeCloseTo(10 * line("DynamoDB writes")[0]!, 6);
    expect(line("KMS keys, secret, alarms")[0]).toBe(line("KMS keys, secret, alarms")[1]);
    expect(table.total[1]).toBeCloseTo(table.lines.reduce((sum, l) => sum + l.monthly[1]!, 0), 6);
    expect(table.alternatives[0]!.monthly[0]).toBeCloseTo(1e6 * 6 * prices.contactLens.voicePerMinute, 6);
    expect(table.alternatives[1]!.monthly[0]).toBeCloseTo(1e6 * 30 * prices.comprehend.customClassificationPerUnit + prices.comprehend.modelManagementPerMonth, 6);
    const largest = [...table.lines].sort((a, b) => b.monthly[1]! - a.monthly[1]!)[0]!;
    expect(table.largest).toEqual({ component: largest.component, share: largest.monthly[1]! / table.total[1]! });
  });
});
