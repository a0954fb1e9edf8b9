/**
 * The monthly AWS bill of recontact at a given volume, from per-contact figures measured by the
 * benchmarks and the price list in bench/prices.json; and, side by side, the same volume through
 * Amazon Contact Lens and Amazon Comprehend custom classification. Pure: no I/O, no measuring.
 */
import { z } from "zod";

export const PricesSchema = z.object({
  region: z.string(),
  currency: z.string(),
  date: z.string(),
  source: z.string(),
  lambda: z.object({ arm64PerGbSecond: z.number(), perMillionRequests: z.number() }),
  dynamodb: z.object({ onDemandPerMillionWriteRequestUnits: z.number(), onDemandPerMillionReadRequestUnits: z.number(), storagePerGbMonth: z.number() }),
  s3: z.object({ standardStoragePerGbMonth: z.number(), putCopyPostListPerThousand: z.number(), getHeadPerThousand: z.number() }),
  sqs: z.object({ standardPerMillionRequests: z.number() }),
  eventBridgeScheduler: z.object({ perMillionInvocations: z.number() }),
  cloudWatchLogs: z.object({ ingestionPerGb: z.number(), storagePerGbMonth: z.number() }),
  kms: z.object({ perKeyMonth: z.number() }),
  secretsManager: z.object({ perSecretMonth: z.number() }),
  cloudWatchAlarms: z.object({ perStandardAlarmMonth: z.number() }),
  contactLens: z.object({ voicePerMinute: z.number() }),
  comprehend: z.object({ customClassificationPerUnit: z.number(), minimumUnitsPerDocument: z.number(), charactersPerUnit: z.number(), modelManagementPerMonth: z.number() }),
});
export type Prices = z.infer<typeof PricesSchema>;

/** Per-contact figures (measured), the deployment's settings, and the few assumptions, each named. */
export interface CostInputs {
  measured: {
    /** Ingest handler time per contact (one invocation per worker, as in a Lambda container). */
    lambdaSecondsPerContact: number;
    /** Report function time per contact read (a report reads 8 weeks of contacts), and per report. */
    reportSecondsPerContactRead: number;
    reportFixedSeconds: number;
    s3PutsPerContact: number;
    s3ReadsPerContact: number;
    objectBytes: number;
    dynamoWriteUnitsPerContact: number;
    dynamoReadUnitsPerContact: number;
    /** Read units of building reports, per contact read (byWeek queries). */
    reportReadUnitsPerContactRead: number;
    dynamoBytesPerContact: number;
    logBytesPerContact: number;
    averageCharacters: number;
  };
  deployment: {
    ingestMemoryMb: number;
    reportMemoryMb: number;
    batchSize: number;
    batchingWindowSeconds: number;
    s3RetentionDays: number;
    tableRetentionDays: number;
    logRetentionDays: number;
    /** Contact reads per contact per month by the weekly schedule (reports a week × weeks each reads, × weeks a month). */
    reportReadsPerContact: number;
    reportInvocationsPerMonth: number;
    /** Reports each weekly run writes (the week that ended and the reopened ones). */
    reportsPerRun: number;
    kmsKeys: number;
    secrets: number;
    alarms: number;
  };
  assumptions: {
    /** Average voice call length, for Contact Lens (per minute). */
    averageCallMinutes: number;
    /** Seconds a month contacts arrive in (business hours), which sets how full SQS batches get. */
    arrivalSecondsPerMonth: number;
    /** Lambda's idle SQS long polling (about 5 pollers, 3 requests a minute each). */
    idleSqsRequestsPerMonth: number;
    /** START/END/REPORT lines Lambda writes per invocation. */
    platformLogBytesPerInvocation: number;
    /** A server access log record per S3 request (the bucket logs to another bucket). */
    accessLogBytesPerRequest: number;
  };
}

export interface CostLine {
  component: string;
  /** How the figure is made, for the reader. */
  basis: string;
  monthly: number[];
}

export interface CostTable {
  volumes: number[];
  lines: CostLine[];
  total: number[];
  alternatives: CostLine[];
  largest: { component: string; share: number };
}

const GB = 1024 ** 3;
const DAYS_PER_MONTH = 30.44;

/** How many messages a batch holds at a volume: the batching window fills up to the batch size. */
export function expectedBatch(contactsPerMonth: number, inputs: CostInputs): number {
  const perSecond = contactsPerMonth / inputs.assumptions.arrivalSecondsPerMonth;
  return Math.min(inputs.deployment.batchSize, Math.max(1, perSecond * inputs.deployment.batchingWindowSeconds));
}

/** Comprehend bills 100-character units, at least 3 per document. */
export function comprehendUnits(characters: number, prices: Prices): number {
  return Math.max(prices.comprehend.minimumUnitsPerDocument, Math.ceil(characters / prices.comprehend.charactersPerUnit));
}

export function monthlyCost(inputs: CostInputs, prices: Prices, volumes: readonly number[]): CostTable {
  const { measured: m, deployment: d, assumptions: a } = inputs;
  const line = (component: string, basis: string, perVolume: (n: number) => number): CostLine => ({ component, basis, monthly: volumes.map(perVolume) });
  const months = (days: number) => days / DAYS_PER_MONTH;
  const invocations = (n: number) => n / expectedBatch(n, inputs);

  const lines: CostLine[] = [
    line("Lambda ingest, compute", `${(m.lambdaSecondsPerContact * 1000).toFixed(0)} ms × ${d.ingestMemoryMb} MB per contact (arm64)`, (n) => n * m.lambdaSecondsPerContact * (d.ingestMemoryMb / 1024) * prices.lambda.arm64PerGbSecond),
    line("Lambda ingest, requests", `one invocation per SQS batch (${d.batchSize} max, ${d.batchingWindowSeconds} s window)`, (n) => (invocations(n) / 1e6) * prices.lambda.perMillionRequests),
    line("DynamoDB writes", `${m.dynamoWriteUnitsPerContact.toFixed(1)} write units per contact, index included (on demand)`, (n) => ((n * m.dynamoWriteUnitsPerContact) / 1e6) * prices.dynamodb.onDemandPerMillionWriteRequestUnits),
    line("DynamoDB reads, ingest", `${m.dynamoReadUnitsPerContact.toFixed(1)} read units per contact`, (n) => ((n * m.dynamoReadUnitsPerContact) / 1e6) * prices.dynamodb.onDemandPerMillionReadRequestUnits),
    line(
      "DynamoDB reads + Lambda, weekly reports",
      `each contact read ${d.reportReadsPerContact.toFixed(0)}× a month (trend weeks, reopened weeks)`,
      (n) =>
        ((n * d.reportReadsPerContact * m.reportReadUnitsPerContactRead) / 1e6) * prices.dynamodb.onDemandPerMillionReadRequestUnits +
        (n * d.reportReadsPerContact * m.reportSecondsPerContactRead + d.reportInvocationsPerMonth * d.reportsPerRun * m.reportFixedSeconds) * (d.reportMemoryMb / 1024) * prices.lambda.arm64PerGbSecond,
    ),
    line("DynamoDB storage", `${(m.dynamoBytesPerContact / 1024).toFixed(1)} KB per contact kept ${d.tableRetentionDays} days`, (n) => ((n * m.dynamoBytesPerContact * months(d.tableRetentionDays)) / GB) * prices.dynamodb.storagePerGbMonth),
    line("S3 PUT of transcripts", `${m.s3PutsPerContact.toFixed(2)} PUT per contact (paid by whoever writes the transcript)`, (n) => ((n * m.s3PutsPerContact) / 1000) * prices.s3.putCopyPostListPerThousand),
    line("S3 HEAD + GET by ingest", `${m.s3ReadsPerContact.toFixed(2)} requests per contact`, (n) => ((n * m.s3ReadsPerContact) / 1000) * prices.s3.getHeadPerThousand),
    line(
      "S3 storage",
      `${(m.objectBytes / 1024).toFixed(1)} KB per transcript kept ${d.s3RetentionDays} days, + access logs`,
      (n) => ((n * (m.objectBytes + (m.s3PutsPerContact + m.s3ReadsPerContact) * a.accessLogBytesPerRequest) * months(d.s3RetentionDays)) / GB) * prices.s3.standardStoragePerGbMonth,
    ),
    line("SQS requests", "send (S3) + receive + delete per batch, + idle polling", (n) => ((n + 2 * invocations(n) + a.idleSqsRequestsPerMonth) / 1e6) * prices.sqs.standardPerMillionRequests),
    line(
      "CloudWatch Logs",
      `${m.logBytesPerContact.toFixed(0)} B of structured log per contact + Lambda's lines, kept ${d.logRetentionDays} days`,
      (n) => {
        const bytes = n * m.logBytesPerContact + invocations(n) * a.platformLogBytesPerInvocation;
        return (bytes / GB) * (prices.cloudWatchLogs.ingestionPerGb + months(d.logRetentionDays) * prices.cloudWatchLogs.storagePerGbMonth);
      },
    ),
    line("EventBridge Scheduler", `${d.reportInvocationsPerMonth.toFixed(1)} weekly runs a month`, () => (d.reportInvocationsPerMonth / 1e6) * prices.eventBridgeScheduler.perMillionInvocations),
    line("KMS keys, secret, alarms", `${d.kmsKeys} keys, ${d.secrets} secret, ${d.alarms} alarms`, () => d.kmsKeys * prices.kms.perKeyMonth + d.secrets * prices.secretsManager.perSecretMonth + d.alarms * prices.cloudWatchAlarms.perStandardAlarmMonth),
  ];
  const total = volumes.map((_, i) => lines.reduce((sum, l) => sum + l.monthly[i]!, 0));
  const last = volumes.length - 1;
  const top = [...lines].sort((x, y) => y.monthly[last]! - x.monthly[last]!)[0]!;
  const units = comprehendUnits(m.averageCharacters, prices);
  const alternatives: CostLine[] = [
    line("Amazon Contact Lens post-call analytics", `${a.averageCallMinutes} min a contact × ${prices.contactLens.voicePerMinute}/min (every contact a voice call)`, (n) => n * a.averageCallMinutes * prices.contactLens.voicePerMinute),
    line(
      "Amazon Comprehend custom classification",
      `${units} units a contact (${Math.round(m.averageCharacters)} characters) × ${prices.comprehend.customClassificationPerUnit}, + model`,
      (n) => n * units * prices.comprehend.customClassificationPerUnit + prices.comprehend.modelManagementPerMonth,
    ),
  ];
  return { volumes: [...volumes], lines, total, alternatives, largest: { component: top.component, share: top.monthly[last]! / total[last]! } };
}
