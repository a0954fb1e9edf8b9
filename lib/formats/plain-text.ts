import type { ParsedContact, Turn } from "../contact/contact.ts";
import type { TranscriptSource } from "./parse-transcript.ts";
import { META_CONTACT_ID, fileStem, metaChannel, metaValue, requireCustomerId, requireStartedAt } from "./source-metadata.ts";

/**
 * Plain-text transcripts (SPEC 2.4): one turn per line that starts with a speaker word and a colon
 * (ASCII `:` or the full-width `：` of Chinese and Korean text). Lines without a speaker word
 * continue the turn before them; lines before the first speaker line (a header) are not part of
 * any turn. Metadata as for Transcribe output: `contact-id` (else the file name), `customer-id`,
 * `started-at`, `channel` (default voice).
 *
 * Speaker words, case-insensitive, for the languages the classifier supports:
 * en `Agent` / `Customer` / `System` and `A` / `C` (upper case only: "c: drive" is not a speaker),
 * nl `Medewerker` / `Agent` / `Klant`, ar `الموظف` / `الوكيل` / `العميل` / `الزبون`,
 * fa `کارشناس` / `اپراتور` / `مشتری`, ko `상담원` / `상담사` / `고객`, zh `客服` / `坐席` / `客户` / `顾客`.
 */

const SPEAKER_WORDS: Record<string, Turn["speaker"]> = {
  agent: "agent",
  customer: "customer",
  system: "system",
  medewerker: "agent",
  klant: "customer",
  "الموظف": "agent",
  "الوكيل": "agent",
  "العميل": "customer",
  "الزبون": "customer",
  "کارشناس": "agent",
  "اپراتور": "agent",
  "مشتری": "customer",
  "상담원": "agent",
  "상담사": "agent",
  "고객": "customer",
  "客服": "agent",
  "坐席": "agent",
  "客户": "customer",
  "顾客": "customer",
};
const LETTERS: Record<string, Turn["speaker"]> = { A: "agent", C: "customer" };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const WORDS = Object.keys(SPEAKER_WORDS)
  .sort((a, b) => b.length - a.length)
  .map(escape)
  .join("|");
// Optional bidi marks before the word (RTL editors insert them), then the word, optional space, a colon.
const SPEAKER_LINE = new RegExp(`^[\\s\\u200e\\u200f\\u061c]*(?:(${WORDS})|(A|C))[ \\t]*[:：][ \\t]*(.*)$`, "iu");

function speakerLine(line: string): { speaker: Turn["speaker"]; text: string } | undefined {
  const m = SPEAKER_LINE.exec(line);
  if (!m) return undefined;
  if (m[1] !== undefined) return { speaker: SPEAKER_WORDS[m[1].toLowerCase()]!, text: m[3]!.trim() };
  const letter = m[2]!;
  if (letter !== "A" && letter !== "C") return undefined; // the `i` flag let "a:" / "c:" through
  return { speaker: LETTERS[letter]!, text: m[3]!.trim() };
}

/** Detection: at least one line with a known speaker prefix. */
export function isPlainText(text: string): boolean {
  return text.split(/\r\n|\r|\n/).some((line) => speakerLine(line) !== undefined);
}

export function parsePlainText(text: string, source: Pick<TranscriptSource, "key" | "metadata">): ParsedContact {
  const { key, metadata } = source;
  const turns: Turn[] = [];
  let current: Turn | undefined;
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/)) {
    const line = speakerLine(raw);
    if (line) {
      current = { speaker: line.speaker, text: line.text };
      turns.push(current);
    } else if (current && raw.trim()) {
      current.text = current.text ? `${current.text}\n${raw.trim()}` : raw.trim();
    }
  }
  const contactId = metaValue(metadata, META_CONTACT_ID) ?? fileStem(key);
  const customerId = requireCustomerId(metadata, key);
  const startedAt = requireStartedAt(metadata, key);
  const channel = metaChannel(metadata, key, "voice");
  return {
    contactId,
    customerId,
    channel,
    startedAt,
    initiation: "inbound",
    disposition: "completed",
    turns: turns.filter((t) => t.text.length > 0),
    format: "plain-text",
    sourceKey: key,
  };
}
