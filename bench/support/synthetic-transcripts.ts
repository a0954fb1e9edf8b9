/**
 * Generated transcripts for throughput benchmarks and scale tests: native envelopes stitched from
 * our own multilingual transcripts (data/reasons-multilingual, six languages), so the classifier
 * sees real sentences of the right language, and customers come back often enough for chains.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { seededRandom } from "../../lib/classify/random.ts";
import type { Turn } from "../../lib/contact/contact.ts";

const DATA_DIR = new URL("../../data/reasons-multilingual/", import.meta.url).pathname;
export const LANGUAGES = ["en", "nl", "ar", "fa", "ko", "zh"] as const;

const CorpusRowSchema = z.object({
  label: z.string(),
  lang: z.string(),
  kind: z.string(),
  channel: z.enum(["voice", "chat"]).optional(),
  turns: z.array(z.object({ speaker: z.enum(["customer", "agent", "system"]), text: z.string() })).optional(),
});

export interface CorpusTranscript {
  label: string;
  lang: string;
  channel: "voice" | "chat";
  turns: { speaker: Turn["speaker"]; text: string }[];
}

/** Transcripts (not single utterances) by language, then by label. */
export type Corpus = Map<string, Map<string, CorpusTranscript[]>>;

export async function loadCorpus(): Promise<Corpus> {
  const corpus: Corpus = new Map();
  for (const lang of LANGUAGES) {
    const byLabel = new Map<string, CorpusTranscript[]>();
    for (const line of (await readFile(join(DATA_DIR, `${lang}.train.jsonl`), "utf8")).split("\n")) {
      if (!line.trim()) continue;
      const row = CorpusRowSchema.parse(JSON.parse(line));
      if (row.kind !== "transcript" || !row.turns?.length) continue;
      const list = byLabel.get(row.label) ?? [];
      list.push({ label: row.label, lang, channel: row.channel ?? "voice", turns: row.turns });
      byLabel.set(row.label, list);
    }
    corpus.set(lang, byLabel);
  }
  return corpus;
}

export interface SyntheticOptions {
  seed?: number;
  /** Contacts per customer on average (default 4: enough repeats to make chains). */
  contactsPerCustomer?: number;
  /** Weeks the contacts are spread over (default 8). */
  weeks?: number;
  /**
   * Source transcripts stitched into one (default 12: about 70 turns and 3,000 characters, a
   * 5–7 minute call; 1 gives the short originals, for tests that need volume rather than length).
   */
  stitched?: number;
  start?: string;
}

export interface SyntheticTranscript {
  /** A path relative to the output folder, e.g. `nl/0001/syn-1-00012.json`. */
  path: string;
  body: string;
  contactId: string;
  lang: string;
  label: string;
  characters: number;
  turns: number;
}

/**
 * n native-envelope transcripts, generated lazily (nothing is held but the corpus). Each customer
 * speaks one language; a customer's next contact comes 2 hours to 10 days later, about the same
 * reason 60% of the time, so repeats within the 7-day window are common.
 */
export function* syntheticTranscripts(corpus: Corpus, n: number, options: SyntheticOptions = {}): Generator<SyntheticTranscript> {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const perCustomer = options.contactsPerCustomer ?? 4;
  const stitched = options.stitched ?? 12;
  const start = Date.parse(options.start ?? "2026-09-07T00:00:00Z");
  const span = (options.weeks ?? 8) * 7 * 86_400_000;
  const customers = Math.max(1, Math.round(n / perCustomer));
  // Each customer's last contact (time and reason), so the next one can follow it.
  const last = new Map<number, { at: number; label: string }>();

  for (let i = 0; i < n; i++) {
    const customer = Math.floor(random() * customers);
    const lang = LANGUAGES[customer % LANGUAGES.length]!;
    const byLabel = corpus.get(lang)!;
    const previous = last.get(customer);
    const label = previous && random() < 0.6 ? previous.label : pick([...byLabel.keys()]);
    const at = previous && previous.at + 10 * 86_400_000 < start + span ? previous.at + 7_200_000 + Math.floor(random() * 10 * 86_400_000) : start + Math.floor(random() * span);
    last.set(customer, { at, label });

    const sources = byLabel.get(label)!;
    const core = pick(sources);
    const turns: Turn[] = [];
    let offsetMs = 0;
    for (let part = 0; part < stitched; part++) {
      const source = part === 0 ? core : pick(sources);
      // Greetings (the first agent/system turns) only once, at the start of the call.
      const body = part === 0 ? source.turns : source.turns.filter((t, k) => k > 0 || t.speaker === "customer");
      for (const turn of body) {
        turns.push({ speaker: turn.speaker, text: turn.text, offsetMs });
        offsetMs += 2_000 + Math.floor(random() * 9_000);
      }
    }
    const contactId = `syn-${seed}-${String(i).padStart(6, "0")}`;
    const startedAt = new Date(at).toISOString();
    const envelope = {
      schema: "recontact.transcript/v1",
      contactId,
      customer: { id: `+3161${String(1_000_000 + customer).slice(-7)}` },
      channel: core.channel,
      startedAt,
      endedAt: new Date(at + offsetMs).toISOString(),
      language: lang,
      agent: { id: `a-${Math.floor(random() * 120)}`, team: `team-${Math.floor(random() * 8)}` },
      queue: label,
      initiation: random() < 0.94 ? "inbound" : "callback",
      disposition: "completed",
      turns,
    };
    yield {
      path: `${lang}/${String(Math.floor(i / 1000)).padStart(4, "0")}/${contactId}.json`,
      body: JSON.stringify(envelope),
      contactId,
      lang,
      label,
      characters: turns.reduce((sum, t) => sum + t.text.length, 0),
      turns: turns.length,
    };
  }
}

export interface WrittenSet {
  files: number;
  bytes: number;
  averageCharacters: number;
  averageTurns: number;
}

/** Writes n generated transcripts under `dir` and says how big they are. */
export async function writeSyntheticTranscripts(dir: string, n: number, options: SyntheticOptions = {}): Promise<WrittenSet> {
  const corpus = await loadCorpus();
  let bytes = 0;
  let characters = 0;
  let turns = 0;
  for (const t of syntheticTranscripts(corpus, n, options)) {
    const file = join(dir, t.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, t.body);
    bytes += Buffer.byteLength(t.body);
    characters += t.characters;
    turns += t.turns;
  }
  return { files: n, bytes, averageCharacters: characters / Math.max(1, n), averageTurns: turns / Math.max(1, n) };
}
