import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultWorkers, runPipeline, transcriptFiles, walkTranscriptFiles, type RunResult } from "../../lib/cli/run-pipeline.ts";
import { loadConfigFile } from "../../lib/config.ts";
import { silentLogger } from "../../lib/log.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const NOW = () => new Date("2026-12-31T12:00:00Z");

/** Files of the demo copied: enough for chains across weeks, few enough to run twice quickly. */
const FILES = 36;

/**
 * `recontact run` with the ingest handler in worker threads gives what it gives in one thread:
 * the same contacts, links and reports (demo transcripts in nested folders).
 */
describe("recontact run with ingest worker threads", () => {
  let input: string;
  const runs: { result: RunResult; contacts: string; progress: { phase: string; done: number; total: number }[] }[] = [];

  beforeAll(async () => {
    input = await mkdtemp(join(tmpdir(), "recontact-streaming-in-"));
    const demo = (await readdir(join(ROOT, "samples/demo"))).filter((f) => !f.endsWith(".meta.json")).sort().slice(0, FILES);
    await mkdir(join(input, "a", "b"), { recursive: true });
    for (const file of demo) {
      await cp(join(ROOT, "samples/demo", file), join(input, "a", "b", file));
      await cp(join(ROOT, "samples/demo", `${file}.meta.json`), join(input, "a", "b", `${file}.meta.json`)).catch(() => undefined);
    }
    await mkdir(join(input, "c"), { recursive: true });
    await writeFile(join(input, "c", ".hidden.json"), "{}");
    const config = await loadConfigFile(join(ROOT, "samples/demo.config.json"));
    for (const workers of [0, 2]) {
      const out = await mkdtemp(join(tmpdir(), `recontact-streaming-out-${workers}-`));
      const progress: { phase: string; done: number; total: number }[] = [];
      const result = await runPipeline({ inputDir: input, outDir: out, config, log: silentLogger, now: NOW, workers, onProgress: (p) => progress.push(p) });
      runs.push({ result, contacts: await readFile(join(out, "contacts.jsonl"), "utf8"), progress });
    }
  });

  it("walks the folder as transcriptFiles lists it (sidecars and hidden files left out)", async () => {
    const walked: string[] = [];
    for await (const file of walkTranscriptFiles(input)) walked.push(file);
    expect(walked.sort()).toEqual(await transcriptFiles(input));
    expect(walked.length).toBe(runs[0]!.result.files);
  });

  it("writes the same contacts.jsonl and the same weekly totals with two workers as in one thread", () => {
    const [single, pooled] = runs;
    expect(pooled!.result.contacts).toBeGreaterThan(FILES - 4);
    expect(pooled!.contacts).toMatch(/"isRepeat":true/);
    expect(pooled!.contacts).toBe(single!.contacts);
    const totals = (r: RunResult) => r.weeks.map((w) => ({ week: w.week, totals: w.report.totals, rootCauses: w.report.rootCauses }));
    expect(totals(pooled!.result)).toEqual(totals(single!.result));
  });

  it("reports ingest progress up to every file, then every week", () => {
    for (const { progress, result } of runs) {
      const ingest = progress.filter((p) => p.phase === "ingest");
      expect(ingest.at(-1)).toEqual({ phase: "ingest", done: result.files, total: result.files });
      expect(ingest.every((p, i) => i === 0 || p.done >= ingest[i - 1]!.done)).toBe(true);
      expect(progress.filter((p) => p.phase === "report").at(-1)).toEqual({ phase: "report", done: result.weeks.length, total: result.weeks.length });
    }
  });

  it("starts workers only for folders large enough to pay for loading the models again", () => {
    expect(defaultWorkers(78, 2)).toBe(0);
    expect(defaultWorkers(20_000, 2)).toBeGreaterThanOrEqual(1);
    expect(defaultWorkers(20_000, 1)).toBe(1);
  });
});
