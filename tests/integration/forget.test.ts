import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createReportHandler } from "../../functions/report/handler.ts";
import { createForgetHandler } from "../../functions/forget/handler.ts";
import { main } from "../../lib/cli/main.ts";
import type { Report } from "../../lib/report/report-schema.ts";
import { reportKey } from "../../lib/use-cases/build-weekly-report.ts";
import { customerKeyOfRaw, type ForgetResult } from "../../lib/use-cases/forget-customer.ts";
import { dataOf } from "../support/faults.ts";
import { contactTraceRecord, envelope, startLocalStack, TEST_HASH_SECRET, type LocalStack } from "../support/local-stack.ts";

/**
 * SPEC 7 on the local servers: `recontact forget` removes everything about one customer and
 * rewrites the reports that showed them, which must then read exactly as if the customer had
 * never contacted us (compared with a second stack that never saw them).
 */
const CONFIG = { windowDays: 7, timeZone: "Europe/Amsterdam", defaultCountry: "NL" };
const NOW = new Date("2026-12-01T00:00:00.000Z");
const REFUND = "I returned the jacket three weeks ago and I still have not received my refund, where is my money back?";
const PASSWORD = "I forgot my password and now my account is locked, I cannot log in at all.";

const FORGOTTEN = "06 1111 2222";
const forgottenUploads = [
  { key: "transcripts/x-1.json", body: envelope({ contactId: "x-1", customerId: "+31 6 1111 2222", startedAt: "2026-11-03T09:00:00.000Z", text: REFUND }) },
  { key: "transcripts/x-2.json", body: envelope({ contactId: "x-2", customerId: "0031611112222", startedAt: "2026-11-05T09:00:00.000Z", text: REFUND }) },
  { key: "transcripts/x-3.json", body: envelope({ contactId: "x-3", customerId: "+31611112222", startedAt: "2026-11-11T09:00:00.000Z", text: PASSWORD }) },
  // A contact trace record of theirs with no transcript: it is theirs too.
  {
    key: "ctr/2026/11/12/firehose-x",
    body: contactTraceRecord({ contactId: "x-ctr-only", customer: "+31611112222", initiatedAt: "2026-11-12T08:00:00Z", updatedAt: "2026-11-12T08:10:00Z" }),
  },
];
const keptUploads = [
  { key: "transcripts/y-1.json", body: envelope({ contactId: "y-1", customerId: "y@example.com", startedAt: "2026-11-03T10:00:00.000Z", text: REFUND }) },
  { key: "transcripts/y-2.json", body: envelope({ contactId: "y-2", customerId: "y@example.com", startedAt: "2026-11-04T10:00:00.000Z", text: REFUND }) },
  { key: "transcripts/y-3.json", body: envelope({ contactId: "y-3", customerId: "y@example.com", startedAt: "2026-11-12T10:00:00.000Z", text: PASSWORD }) },
];
const WEEKS = ["2026-W45", "2026-W46"];

async function stackWith(uploads: { key: string; body: string }[]): Promise<LocalStack> {
  const stack = await startLocalStack(CONFIG, { clock: () => NOW });
  for (const { key, body } of uploads) await stack.upload(key, body);
  await stack.settle(uploads.length);
  const report = createReportHandler(stack.runtime);
  for (const week of WEEKS) await report({ week });
  return stack;
}

async function reportOf(stack: LocalStack, week: string): Promise<Report> {
  const object = await stack.runtime.objects.get(reportKey(week, "report.json"));
  return JSON.parse(new TextDecoder().decode(object!.body)) as Report;
}

/** Runs `recontact forget` against the stack's servers, as an operator would against AWS. */
async function forgetCli(stack: LocalStack, args: string[]): Promise<{ status: number; stdout: string }> {
  const env = {
    RECONTACT_BUCKET: stack.services.bucket,
    RECONTACT_TABLE: stack.services.table,
    RECONTACT_S3_ENDPOINT: stack.services.s3Endpoint,
    RECONTACT_DYNAMODB_ENDPOINT: stack.services.dynamodbEndpoint,
    RECONTACT_HASH_SECRET: TEST_HASH_SECRET,
    RECONTACT_CONFIG: JSON.stringify(CONFIG),
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
  try {
    return { status: await main(["forget", ...args]), stdout: out.join("") };
  } finally {
    write.mockRestore();
    vi.unstubAllEnvs();
  }
}

describe("forgetting a customer on the local servers", () => {
  let stack: LocalStack;
  let without: LocalStack;
  let key: string;
  let first: ForgetResult;

  beforeAll(async () => {
    [stack, without] = await Promise.all([stackWith([...forgottenUploads, ...keptUploads]), stackWith(keptUploads)]);
    key = customerKeyOfRaw(FORGOTTEN, TEST_HASH_SECRET, { defaultCountry: "NL" });
    expect(JSON.stringify(await dataOf(stack))).toContain(key);
    const { status, stdout } = await forgetCli(stack, ["--customer", FORGOTTEN, "--json"]);
    expect(status).toBe(0);
    first = JSON.parse(stdout) as ForgetResult;
  });
  afterAll(async () => {
    await Promise.all([stack?.stop(), without?.stop()]);
  });

  it("removes their contacts, pointers, contact trace records and timeline, and says how many items", () => {
    expect(first.customerKeys).toEqual([key]);
    expect(first.removed).toEqual({ contacts: 3, contactPointers: 3, contactTraceRecords: 1, pendingTranscripts: 0, quarantineRecords: 0, timelineVersions: 1 });
    expect(first.items).toBe(8);
    expect(first.sourceObjects).toEqual(["transcripts/x-1.json", "transcripts/x-2.json", "transcripts/x-3.json"]);
  });

  it("leaves no item that names them, and every other customer's items as they would be without them", async () => {
    const after = await dataOf(stack);
    expect(JSON.stringify(after)).not.toContain(key);
    expect(after.items.filter((i) => !String(i.pk).startsWith("WEEKS"))).toEqual((await dataOf(without)).items.filter((i) => !String(i.pk).startsWith("WEEKS")));
  });

  it("rewrites the weeks' reports to read as if they had never contacted us", async () => {
    expect(first.reports).toEqual(WEEKS);
    for (const week of WEEKS) {
      const [forgotten, never] = await Promise.all([reportOf(stack, week), reportOf(without, week)]);
      expect({ ...forgotten, generatedAt: "" }, week).toEqual({ ...never, generatedAt: "" });
      const html = new TextDecoder().decode((await stack.runtime.objects.get(reportKey(week, "report.html")))!.body);
      expect(html).not.toMatch(/x-1|x-2|x-3/);
    }
  });

  it("finds nothing the second time, and prints the count for people", async () => {
    const { status, stdout } = await forgetCli(stack, ["--customer-key", key]);
    expect(status).toBe(0);
    expect(stdout).toContain("0 items removed");
    expect(stdout).toContain("no report showed them");
    expect(stdout).not.toContain(FORGOTTEN);
  });

  it("refuses an ambiguous request", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect((await forgetCli(stack, [])).status).not.toBe(0);
      expect((await forgetCli(stack, ["--customer", FORGOTTEN, "--customer-key", key])).status).not.toBe(0);
      expect((await forgetCli(stack, ["--customer-key", "not-a-key"])).status).not.toBe(0);
    } finally {
      stderr.mockRestore();
    }
  });

  it("works the same as a function, given the raw identifier in any of its forms", async () => {
    const forget = createForgetHandler(stack.runtime);
    const result = await forget({ customerId: "Y@Example.com " });
    expect(result.removed.contacts).toBe(3);
    expect(result.customerKeys).toEqual([customerKeyOfRaw("y@example.com", TEST_HASH_SECRET, {})]);
    expect((await reportOf(stack, "2026-W45")).totals.contacts).toBe(0);
    await expect(forget({ customerId: "y@example.com", customerKey: key })).rejects.toThrow();
    await expect(forget({ customerKey: "ABC" })).rejects.toThrow(/64 hex/);
  });
});
