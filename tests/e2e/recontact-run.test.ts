import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../lib/config.ts";
import { silentLogger } from "../../lib/log.ts";
import { ReportSchema, type Report } from "../../lib/report/report-schema.ts";
import { runPipeline, type RunResult } from "../../lib/cli/run-pipeline.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SPEC6_FIELDS = ["contactId", "customerKey", "startedAt", "channel", "language", "reason", "reasonConfidence", "rootCause", "isRepeat", "repeatOf", "chainId", "status", "error"];

type Line = Record<string, unknown> & { contactId: string | null; status: string; startedAt: string | null; isRepeat: boolean; chainId: string | null; repeatOf: string | null };

describe("recontact run over the demo transcripts", () => {
  let out: string;
  let result: RunResult;
  let lines: Line[];
  const inputDir = join(ROOT, "samples/demo");

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "recontact-run-"));
    await mkdir(join(out, "reports", "1999-W01"), { recursive: true }); // left over from an earlier run
    await writeFile(join(out, "reports", "1999-W01", "report.json"), "{}");
    const config = await loadConfigFile(join(ROOT, "samples/demo.config.json"));
    result = await runPipeline({ inputDir, outDir: out, config, log: silentLogger, now: () => new Date("2026-12-31T12:00:00Z") });
    lines = (await readFile(join(out, "contacts.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Line);
  });

  it("writes one contacts.jsonl line per input contact with every SPEC 6 field", async () => {
    const inputs = (await readdir(inputDir)).filter((f) => f.endsWith(".json") && !f.endsWith(".meta.json"));
    expect(lines).toHaveLength(inputs.length);
    for (const line of lines) for (const field of SPEC6_FIELDS) expect(line).toHaveProperty(field);
    const ok = lines.filter((l) => l.status === "ok");
    const quarantined = lines.filter((l) => l.status === "quarantined");
    expect(quarantined).toHaveLength(2);
    for (const q of quarantined) expect(String(q.error)).toMatch(/transcripts\/bad-/);
    for (const line of ok) {
      expect(line.customerKey).toMatch(/^[0-9a-f]{64}$/);
      expect(line.rootCause === null).toBe(!line.isRepeat);
      if (line.isRepeat) expect(ok.some((o) => o.contactId === line.repeatOf && o.chainId === line.chainId)).toBe(true);
    }
  });

  it("keeps raw customer identifiers out of every output", async () => {
    const everything = [await readFile(join(out, "contacts.jsonl"), "utf8"), ...(await Promise.all(result.weeks.map((w) => readFile(join(out, "reports", w.week, "report.json"), "utf8"))))].join("\n");
    expect(everything).not.toMatch(/jan\.jansen@example\.com/i);
    expect(everything).not.toMatch(/\+31 ?6/);
  });

  it("writes report.json, report.html and report.csv for every week the contacts cover", async () => {
    expect(result.weeks.map((w) => w.week)).toEqual(["2026-W44", "2026-W45", "2026-W46", "2026-W47"]);
    for (const { week } of result.weeks) {
      const files = await readdir(join(out, "reports", week));
      expect(files.sort()).toEqual(["report.csv", "report.html", "report.json"]);
    }
    expect((await readdir(join(out, "reports"))).sort()).toEqual(result.weeks.map((w) => w.week));
    for (const { week } of result.weeks) {
      ReportSchema.parse(JSON.parse(await readFile(join(out, "reports", week, "report.json"), "utf8")));
    }
  });

  it("reports weekly totals that agree with contacts.jsonl", async () => {
    for (const { week, report } of result.weeks) {
      const { start, end } = { start: Date.parse(report.weekStart), end: Date.parse(report.weekEnd) };
      const ofWeek = lines.filter((l) => l.status === "ok" && Date.parse(l.startedAt!) >= start && Date.parse(l.startedAt!) < end);
      expect(report.totals.contacts, week).toBe(ofWeek.length);
      expect(report.totals.repeatContacts, week).toBe(ofWeek.filter((l) => l.isRepeat).length);
      expect(report.totals.customers, week).toBe(new Set(ofWeek.map((l) => l.customerKey)).size);
      const firsts = ofWeek.filter((l) => l.chainId === l.contactId);
      expect(report.totals.firstContacts, week).toBe(firsts.length);
      const repeated = firsts.filter((f) => lines.some((l) => l.repeatOf === f.contactId));
      expect(report.totals.fcrRate, week).toBeCloseTo(firsts.length ? 1 - repeated.length / firsts.length : 0, 10);
      const byCause = new Map<string, number>();
      for (const l of ofWeek.filter((x) => x.isRepeat)) byCause.set(String(l.rootCause), (byCause.get(String(l.rootCause)) ?? 0) + 1);
      expect(Object.fromEntries(report.rootCauses.map((r) => [r.cause, r.repeatContacts]))).toEqual(Object.fromEntries(byCause));
    }
  });

  it("finds repeat chains in the demo and says the last week is provisional only while its window is open", () => {
    expect(lines.filter((l) => l.isRepeat).length).toBeGreaterThanOrEqual(8);
    const last: Report = result.weeks.at(-1)!.report;
    expect(last.provisional).toBe(false); // the run's clock is 2026-12-31, long after W47's window
  });
});

describe("the recontact command", () => {
  it("runs a folder with a config, exits 0 with quarantined inputs, and prints the report path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "recontact-cli-"));
    const input = join(dir, "in");
    await mkdir(input);
    await writeFile(
      join(input, "call.json"),
      JSON.stringify({ schema: "recontact.transcript/v1", contactId: "cli-1", customer: { id: "a@example.com" }, channel: "chat", startedAt: "2026-11-16T09:00:00Z", turns: [{ speaker: "customer", text: "I forgot my password" }] }),
    );
    await writeFile(join(input, "garbage.json"), "not json at all {");
    await writeFile(join(dir, "config.json"), JSON.stringify({ windowDays: 3, timeZone: "Asia/Seoul" }));
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, "bin/recontact.js"), "run", input, "--out", join(dir, "out"), "--config", join(dir, "config.json")], { cwd: dir });
    expect(stdout).toContain(join(dir, "out", "reports", "2026-W47", "report.html"));
    const contacts = (await readFile(join(dir, "out", "contacts.jsonl"), "utf8")).trim().split("\n");
    expect(contacts).toHaveLength(2);
    const report = JSON.parse(await readFile(join(dir, "out", "reports", "2026-W47", "report.json"), "utf8")) as Report;
    expect(report.config).toMatchObject({ windowDays: 3, timeZone: "Asia/Seoul" });
  });

  it("exits non-zero with a clear message when the config is invalid", async () => {
    const dir = await mkdtemp(join(tmpdir(), "recontact-cli-"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ timeZone: "Mars/Olympus" }));
    const run = promisify(execFile)(process.execPath, [join(ROOT, "bin/recontact.js"), "run", dir, "--out", join(dir, "out"), "--config", join(dir, "config.json")]);
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("config.json (timeZone): unknown IANA time zone") });
  });
});


describe("recontact run with a file name the local S3 server cannot store", () => {
  it("quarantines that file with the reason and processes the rest", async () => {
    const dir = await mkdtemp(join(tmpdir(), "recontact-longname-"));
    await mkdir(join(dir, "in"));
    const body = JSON.stringify({ schema: "recontact.transcript/v1", contactId: "ok-1", customer: { id: "ln@example.com" }, channel: "chat", startedAt: "2026-11-16T09:00:00Z", turns: [{ speaker: "customer", text: "my parcel never arrived" }] });
    await writeFile(join(dir, "in", `${"x".repeat(240)}.json`), body.replace("ok-1", "long-1"));
    await writeFile(join(dir, "in", "short.json"), body);
    const config = (await import("../../lib/config.ts")).parseConfig({});
    const result = await runPipeline({ inputDir: join(dir, "in"), outDir: join(dir, "out"), config, log: silentLogger });
    expect(result).toMatchObject({ files: 2, contacts: 1, quarantined: 1 });
    const quarantine = (await readFile(join(dir, "out", "quarantine.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { code: string; objectKey: string });
    expect(quarantine).toEqual([expect.objectContaining({ code: "KEY_TOO_LONG_LOCALLY" })]);
  });
});
