import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../../lib/cli/run-pipeline.ts";
import { loadConfigFile } from "../../lib/config.ts";
import { silentLogger } from "../../lib/log.ts";
import { detectLanguage } from "../../lib/text/language.ts";
import {
  cannotExpress,
  toCallAnalytics,
  toContactLens,
  toPlainText,
  toTranscribeStandard,
  type ConvertedFile,
  type Envelope,
  type TargetFormat,
} from "../support/convert-formats.ts";

/**
 * SPEC 2: every input format becomes one canonical Contact. So the demo conversations, run once
 * as native envelopes and once spread over every other format (Contact Lens 1.1.0, VOICE- and
 * CHAT-2022-11-30 and redacted with sidecars, Contact Lens joined to a contact trace record instead
 * of a sidecar, Transcribe standard with channel and with speaker labels, Transcribe Call
 * Analytics, plain text in six languages), must give the same contacts.jsonl: the same customers,
 * starts, channels, reasons, and — because whole repeat chains are spread over several formats —
 * the same links and root causes.
 *
 * What legitimately cannot match, and is therefore not compared:
 * - `language` of plain text: the format has no language field, so it is detected from the text
 *   (lib/text/language.ts). It is compared with that detection, not with the envelope's field.
 *   (For the demo set the detection agrees with the envelopes, so reasons and root causes — which
 *   are computed per language — are still expected to match.)
 * - `reasonConfidence`, evidence, endedAt, agent, team, queue: not asked of this test (agent and
 *   queue exist only in the envelope and the CTR; they do not change contacts.jsonl).
 * - Conversations a format cannot express (see `cannotExpress` in tests/support/convert-formats.ts)
 *   never go to it: initiation other than inbound exists only in a CTR (callback c-0014,
 *   outbound c-0017, transfer c-0042 go through Contact Lens + CTR), abandoned calls without turns
 *   are no transcript at all (c-0028, c-0052 stay envelopes), system messages and e-mail line
 *   breaks have no place in Transcribe output, Contact Lens is voice and chat only.
 */

const ROOT = new URL("../../", import.meta.url).pathname;
const NOW = () => new Date("2026-12-31T12:00:00Z");
const COMPARED = ["contactId", "customerKey", "startedAt", "channel", "language", "reason", "isRepeat", "repeatOf", "chainId", "rootCause"] as const;
const LINK_FIELDS = ["isRepeat", "repeatOf", "chainId", "rootCause"] as const;

/** How a conversation was written in the mixed folder. */
type Written = TargetFormat | "envelope";
/** The formats spread over, in the order ties are broken. */
const TARGETS: TargetFormat[] = [
  "contact-lens-ctr",
  "transcribe-channel",
  "contact-lens-1.1.0",
  "plain-text",
  "transcribe-speaker",
  "contact-lens-voice-2022",
  "call-analytics",
  "contact-lens-redacted",
  "contact-lens-chat-2022",
];

interface Line {
  contactId: string | null;
  customerKey: string | null;
  startedAt: string | null;
  channel: string | null;
  language: string | null;
  reason: string | null;
  reasonConfidence: number | null;
  rootCause: string | null;
  isRepeat: boolean;
  repeatOf: string | null;
  chainId: string | null;
  status: "ok" | "quarantined";
  error: string | null;
  objectKey?: string;
}

/**
 * Each conversation goes to the least-used format that can express it (ties in TARGETS order), so
 * every format gets a share and a repeat chain ends up spread over several formats.
 */
function assignFormats(envelopes: readonly Envelope[]): Map<string, Written> {
  const used = new Map<Written, number>(TARGETS.map((t) => [t, 0]));
  const assigned = new Map<string, Written>();
  for (const envelope of envelopes) {
    const candidates = TARGETS.filter((t) => cannotExpress(envelope, t) === undefined);
    if (candidates.length === 0) {
      assigned.set(envelope.contactId, "envelope");
      continue;
    }
    const best = candidates.reduce((a, b) => (used.get(b)! < used.get(a)! ? b : a));
    used.set(best, used.get(best)! + 1);
    assigned.set(envelope.contactId, best);
  }
  return assigned;
}

const customerText = (e: Envelope) => e.turns.filter((t) => t.speaker === "customer").map((t) => t.text).join("\n");
const languageOf = (e: Envelope) => e.language ?? detectLanguage(customerText(e) || e.turns.map((t) => t.text).join("\n"));

/** The files of one conversation in its assigned format, with their folder inside the input dir. */
function filesFor(envelope: Envelope, format: Written, ctrIndex: number): { path: string; file: ConvertedFile }[] {
  switch (format) {
    case "envelope":
      return [{ path: `envelope/${envelope.contactId}.json`, file: { key: "", body: JSON.stringify(envelope, null, 2) } }];
    case "contact-lens-1.1.0":
      return [{ path: "", file: toContactLens(envelope, { version: "1.1.0" }) }];
    case "contact-lens-voice-2022":
      return [{ path: "", file: toContactLens(envelope, { version: "VOICE-2022-11-30" }) }];
    case "contact-lens-chat-2022":
      return [{ path: "", file: toContactLens(envelope, { version: "CHAT-2022-11-30" }) }];
    case "contact-lens-redacted":
      return [{ path: "", file: toContactLens(envelope, { version: "1.1.0", redacted: true }) }];
    case "contact-lens-ctr": {
      const { ctr, ...analysis } = toContactLens(envelope, { version: envelope.channel === "chat" ? "CHAT-2022-11-30" : "VOICE-2022-11-30", viaCtr: true });
      // runPipeline uploads files in path order (and ingests them four at a time), so the order of
      // arrival cannot be set exactly; the folder names make half of the CTRs sort before their
      // transcripts (connect-1 < connect-2) and half after (connect-3 < connect-4).
      const [ctrDir, lensDir] = ctrIndex % 2 === 0 ? ["connect-1", "connect-2"] : ["connect-4", "connect-3"];
      return [
        { path: `${lensDir}/${analysis.key}`, file: analysis },
        { path: `${ctrDir}/${ctr!.key}`, file: ctr! },
      ];
    }
    case "transcribe-channel":
      return [{ path: "", file: toTranscribeStandard(envelope, { labels: "channel" }) }];
    case "transcribe-speaker":
      return [{ path: "", file: toTranscribeStandard(envelope, { labels: "speaker" }) }];
    case "call-analytics":
      return [{ path: "", file: toCallAnalytics(envelope) }];
    case "plain-text":
      return [{ path: "", file: toPlainText(envelope, languageOf(envelope)) }];
  }
}

async function writeFileWithSidecar(dir: string, path: string, file: ConvertedFile): Promise<void> {
  const full = join(dir, path || file.key);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, file.body);
  if (file.meta) await writeFile(`${full}.meta.json`, JSON.stringify(file.meta, null, 2));
}

async function readLines(outDir: string): Promise<Line[]> {
  const text = await readFile(join(outDir, "contacts.jsonl"), "utf8");
  return text.trim() ? text.trim().split("\n").map((l) => JSON.parse(l) as Line) : [];
}

describe("the demo conversations in every input format give the same contacts as envelopes", () => {
  let envelopes: Envelope[];
  let assigned: Map<string, Written>;
  let envelopeLines: Line[];
  let formatLines: Line[];
  let byIdA: Map<string, Line>;
  let byIdB: Map<string, Line>;
  /** The contact written both as original and as redacted Contact Lens file (SPEC 2.2: prefer the redacted). */
  let twin: string | undefined;
  let base: string | undefined;

  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  beforeAll(async () => {
    const demo = join(ROOT, "samples/demo");
    const names = (await readdir(demo)).filter((f) => /^c-\d+\.json$/.test(f)).sort();
    envelopes = await Promise.all(names.map(async (f) => JSON.parse(await readFile(join(demo, f), "utf8")) as Envelope));
    assigned = assignFormats(envelopes);

    base = await mkdtemp(join(tmpdir(), "recontact-formats-"));
    const [envelopeDir, formatDir] = [join(base, "envelopes"), join(base, "formats")];
    await mkdir(envelopeDir, { recursive: true });
    let ctrIndex = 0;
    for (const envelope of envelopes) {
      await writeFile(join(envelopeDir, `${envelope.contactId}.json`), JSON.stringify(envelope, null, 2));
      const format = assigned.get(envelope.contactId)!;
      for (const { path, file } of filesFor(envelope, format, format === "contact-lens-ctr" ? ctrIndex++ : 0)) {
        await writeFileWithSidecar(formatDir, path, file);
      }
      if (format === "contact-lens-redacted" && twin === undefined) {
        // One contact arrives as both the original and the redacted file: one contact comes out.
        twin = envelope.contactId;
        await writeFileWithSidecar(formatDir, "", toContactLens(envelope, { version: "1.1.0" }));
      }
    }

    const config = await loadConfigFile(join(ROOT, "samples/demo.config.json"));
    await runPipeline({ inputDir: envelopeDir, outDir: join(base, "out-envelopes"), config, log: silentLogger, now: NOW });
    await runPipeline({ inputDir: formatDir, outDir: join(base, "out-formats"), config, log: silentLogger, now: NOW });
    envelopeLines = await readLines(join(base, "out-envelopes"));
    formatLines = await readLines(join(base, "out-formats"));
    byIdA = new Map(envelopeLines.filter((l) => l.status === "ok").map((l) => [l.contactId!, l]));
    byIdB = new Map(formatLines.filter((l) => l.status === "ok").map((l) => [l.contactId!, l]));
  });

  it("spreads at least 20 conversations in several languages, with whole repeat chains, over every format", () => {
    const converted = envelopes.filter((e) => assigned.get(e.contactId) !== "envelope");
    expect(converted.length).toBeGreaterThanOrEqual(20);
    for (const target of TARGETS) expect([...assigned.values()].filter((f) => f === target).length, target).toBeGreaterThanOrEqual(2);
    expect(new Set(converted.map(languageOf))).toEqual(new Set(["en", "nl", "ar", "fa", "ko", "zh"]));
    expect(twin).toBeDefined();

    // Chains of the envelope run whose every contact was converted, and which mix formats.
    const chains = new Map<string, string[]>();
    for (const l of envelopeLines) if (l.status === "ok" && l.chainId) chains.set(l.chainId, [...(chains.get(l.chainId) ?? []), l.contactId!]);
    const repeatChains = [...chains.values()].filter((ids) => ids.length > 1);
    const wholeConverted = repeatChains.filter((ids) => ids.every((id) => assigned.get(id) !== "envelope"));
    const mixed = wholeConverted.filter((ids) => new Set(ids.map((id) => assigned.get(id))).size > 1);
    // How many chains the demo has depends on the shipped reason model (samples/README.md intends 19).
    expect(repeatChains.length).toBeGreaterThanOrEqual(5);
    expect(wholeConverted.length).toBeGreaterThanOrEqual(5);
    expect(mixed.length).toBeGreaterThanOrEqual(5);
  });

  it("ingests every conversation in both runs, once, and quarantines nothing", () => {
    const quarantined = formatLines.filter((l) => l.status === "quarantined").map((l) => `${l.objectKey}: ${l.error}`);
    // A failure listing `ctr/…` objects or Contact Lens files under connect-2/ and connect-3/ means
    // the CTR join (lib/use-cases/ctr-join.ts) does not handle them yet — see the CTR test below.
    expect(quarantined).toEqual([]);
    expect(envelopeLines.filter((l) => l.status === "quarantined")).toEqual([]);
    expect(envelopeLines).toHaveLength(envelopes.length);
    const ids = formatLines.map((l) => l.contactId);
    expect(new Set(ids).size, "a contact id appears twice in contacts.jsonl (the original/redacted twin?)").toBe(ids.length);
    expect([...byIdB.keys()].sort()).toEqual([...byIdA.keys()].sort());
  });

  /** The per-contact fields a format decides (links are compared across formats below). */
  function contactDiffs(format: Written): string[] {
    const diffs: string[] = [];
    for (const envelope of envelopes.filter((e) => assigned.get(e.contactId) === format)) {
      const a = byIdA.get(envelope.contactId);
      const b = byIdB.get(envelope.contactId);
      if (!a) {
        diffs.push(`${envelope.contactId}: not ingested from its envelope`);
        continue;
      }
      if (!b) {
        const q = formatLines.find((l) => l.contactId === envelope.contactId || (l.objectKey ?? "").includes(envelope.contactId));
        diffs.push(`${envelope.contactId}: not ingested as ${format}${q ? ` (quarantined: ${q.error})` : ""}`);
        continue;
      }
      for (const field of COMPARED.filter((f) => !(LINK_FIELDS as readonly string[]).includes(f))) {
        // Plain text has no language field: its language is detected, so compare with the detection.
        const expected = field === "language" && format === "plain-text" ? detectLanguage(customerText(envelope) || envelope.turns.map((t) => t.text).join("\n")) : a[field];
        if (b[field] !== expected) diffs.push(`${envelope.contactId} ${field}: envelope ${JSON.stringify(expected)}, ${format} ${JSON.stringify(b[field])}`);
      }
    }
    return diffs;
  }

  const SIDE_CAR_FORMATS: TargetFormat[] = [
    "contact-lens-1.1.0",
    "contact-lens-voice-2022",
    "contact-lens-chat-2022",
    "contact-lens-redacted",
    "transcribe-channel",
    "transcribe-speaker",
    "call-analytics",
    "plain-text",
  ];
  for (const format of SIDE_CAR_FORMATS) {
    it(`${format}: same customer, start, channel, language and reason as the envelope`, () => {
      expect(contactDiffs(format)).toEqual([]);
    });
  }

  // Depends on the CTR join (lib/use-cases/ctr-join.ts, being written): the Contact Lens files here
  // have no sidecar at all, so customer, start, initiation (callback c-0014, outbound c-0017,
  // transfer c-0042 with previousContactId c-0041), agent and queue come only from the CTR.
  // If this fails with "not ingested … MISSING_CUSTOMER_ID" or CTR objects quarantined as
  // UNKNOWN_FORMAT, the join is not finished — not a bug of the converter.
  it("contact-lens-ctr (no sidecar, CTR before or after the transcript): same contacts as the envelope", () => {
    expect(contactDiffs("contact-lens-ctr")).toEqual([]);
  });

  it("abandoned calls kept as envelopes in the mixed folder are the same contacts", () => {
    expect([...assigned.values()].filter((f) => f === "envelope").length).toBeGreaterThan(0);
    expect(contactDiffs("envelope")).toEqual([]);
  });

  it("links repeat chains spread over several formats exactly as the envelopes are linked", () => {
    const diffs: string[] = [];
    for (const [id, a] of byIdA) {
      const b = byIdB.get(id);
      if (!b) continue; // reported above
      for (const field of LINK_FIELDS) {
        if (b[field] !== a[field]) {
          const chain = envelopeLines.filter((l) => a.chainId && l.chainId === a.chainId).map((l) => `${l.contactId}:${assigned.get(l.contactId!)}`);
          const missing = chain.filter((c) => !byIdB.has(c.split(":")[0]!));
          diffs.push(
            `${id} (${assigned.get(id)}) ${field}: envelope ${JSON.stringify(a[field])}, formats ${JSON.stringify(b[field])}; chain [${chain.join(", ")}]` +
              (missing.length ? ` — not ingested in the formats run: ${missing.join(", ")}` : ""),
          );
        }
      }
    }
    expect(diffs).toEqual([]);
    expect([...byIdB.values()].filter((l) => l.isRepeat).length).toBe([...byIdA.values()].filter((l) => l.isRepeat).length);
  });
});
