import { z } from "zod";
import type { ParsedContact, Turn } from "../contact/contact.ts";
import type { TranscriptSource } from "./parse-transcript.ts";
import {
  META_CONTACT_ID,
  fileStem,
  metaChannel,
  metaValue,
  primaryLanguage,
  requireCustomerId,
  requireStartedAt,
  schemaViolation,
} from "./source-metadata.ts";

/**
 * Amazon Transcribe output (SPEC 2.3): standard batch output (`results.items`, with
 * `speaker_labels` or `channel_labels` or neither) and Call Analytics output (`Transcript[]` with
 * `ParticipantRole`, both the current schema and the 2021 one with word `Items` per turn).
 *
 * Neither carries the contact's identity, so it comes from the S3 object metadata:
 * `contact-id` (else the job name, else the file name), `customer-id` (required), `started-at`
 * (required), `channel` (default voice).
 *
 * Turns of standard output. Words are joined with spaces, punctuation attaches to the word before it,
 * the first alternative is the one read. Then:
 * - `speaker_labels`: one turn per speaker segment — Transcribe's own turns, which also split one
 *   speaker's speech at long pauses; words are matched to segments by their start and end times.
 * - `channel_labels`: the words of all channels in time order; consecutive words of one channel
 *   form a turn.
 * - no labels: one speaker, one turn.
 *
 * Roles of standard output. Metadata decides when given: `agent-channel` / `customer-channel`
 * (e.g. `ch_0`), `agent-speaker` / `customer-speaker` (e.g. `spk_1`); the named label gets that role
 * and every other label the other one. Otherwise:
 * - channels: `ch_0` is the agent, the other channels the customer — Amazon Connect records stereo
 *   calls with the agent on the left (first) channel and the customer on the right;
 * - speakers: the first speaker to talk is the agent (the agent answers the call), every other
 *   speaker the customer;
 * - no labels: the customer. One unlabelled voice is most often a voicemail or a message from the
 *   customer; and the reason is read from the customer's words. A mono recording of both parties
 *   should be transcribed with speaker partitioning instead.
 */

const TimeSchema = z
  .union([z.string().regex(/^\d+(\.\d+)?$/, "expected seconds, e.g. \"1.35\""), z.number().nonnegative()])
  .transform(Number);

const ItemSchema = z
  .object({
    type: z.enum(["pronunciation", "punctuation"]),
    alternatives: z.array(z.object({ content: z.string() }).loose()).min(1),
    start_time: TimeSchema.optional(),
    end_time: TimeSchema.optional(),
    speaker_label: z.string().optional(),
    channel_label: z.string().optional(),
  })
  .loose();
type Item = z.infer<typeof ItemSchema>;

const StandardSchema = z
  .object({
    jobName: z.string().optional(),
    results: z
      .object({
        language_code: z.string().optional(),
        items: z.array(ItemSchema),
        speaker_labels: z
          .object({
            segments: z.array(
              z
                .object({
                  speaker_label: z.string(),
                  items: z.array(z.object({ start_time: TimeSchema, end_time: TimeSchema, speaker_label: z.string().optional() }).loose()),
                })
                .loose(),
            ),
          })
          .loose()
          .optional(),
        channel_labels: z
          .object({
            channels: z.array(z.object({ channel_label: z.string(), items: z.array(ItemSchema) }).loose()),
          })
          .loose()
          .optional(),
      })
      .loose(),
  })
  .loose();
type Standard = z.infer<typeof StandardSchema>;

const CallAnalyticsSchema = z
  .object({
    JobName: z.string().optional(),
    LanguageCode: z.string().optional(),
    Channel: z.string().optional(),
    Transcript: z.array(
      z
        .object({
          ParticipantRole: z.string().min(1),
          Content: z.string().optional(),
          BeginOffsetMillis: z.number().nonnegative().optional(),
          Items: z
            .array(z.object({ Type: z.enum(["pronunciation", "punctuation"]), Content: z.string() }).loose())
            .optional(),
        })
        .loose()
        .refine((t) => t.Content !== undefined || t.Items !== undefined, { message: "a turn needs Content or Items", path: ["Content"] }),
    ),
  })
  .loose();

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function isTranscribeStandard(json: unknown): boolean {
  return isObject(json) && isObject(json.results) && Array.isArray(json.results.items);
}

/** `JobName` + `Transcript[]`, or a `Transcript[]` of `ParticipantRole` turns without a Contact Lens `Version`. */
export function isCallAnalytics(json: unknown): boolean {
  if (!isObject(json) || !Array.isArray(json.Transcript) || json.Version !== undefined) return false;
  if (typeof json.JobName === "string") return true;
  const first: unknown = json.Transcript[0];
  return isObject(first) && (typeof first.ParticipantRole === "string" || Array.isArray(first.Items));
}

export function parseTranscribeStandard(json: unknown, source: Pick<TranscriptSource, "key" | "metadata">): ParsedContact {
  const key = source.key;
  const result = StandardSchema.safeParse(json);
  if (!result.success) throw schemaViolation(result.error, key, "Amazon Transcribe output");
  const out = result.data;
  const turns = standardTurns(out, source.metadata);
  const language = primaryLanguage(out.results.language_code);
  return {
    ...identity(source, out.jobName),
    ...(language ? { language } : {}),
    initiation: "inbound",
    disposition: "completed",
    turns,
    format: "transcribe/standard",
    sourceKey: key,
  };
}

export function parseCallAnalytics(json: unknown, source: Pick<TranscriptSource, "key" | "metadata">): ParsedContact {
  const key = source.key;
  const result = CallAnalyticsSchema.safeParse(json);
  if (!result.success) throw schemaViolation(result.error, key, "Amazon Transcribe Call Analytics output");
  const out = result.data;
  const turns: Turn[] = [];
  for (const t of out.Transcript) {
    const text = (t.Content ?? joinWords((t.Items ?? []).map((i) => ({ text: i.Content, punctuation: i.Type === "punctuation" })))).trim();
    if (!text) continue;
    const role = t.ParticipantRole.toUpperCase();
    const speaker = role === "AGENT" ? "agent" : role === "CUSTOMER" ? "customer" : "system";
    turns.push({ speaker, text, ...(t.BeginOffsetMillis !== undefined ? { offsetMs: t.BeginOffsetMillis } : {}) });
  }
  const language = primaryLanguage(out.LanguageCode);
  const fileChannel = out.Channel?.toUpperCase() === "CHAT" ? "chat" : "voice";
  return {
    ...identity(source, out.JobName, fileChannel),
    ...(language ? { language } : {}),
    initiation: "inbound",
    disposition: "completed",
    turns,
    format: "transcribe/call-analytics",
    sourceKey: key,
  };
}

function identity(source: Pick<TranscriptSource, "key" | "metadata">, jobName: string | undefined, fileChannel: "voice" | "chat" = "voice") {
  const { key, metadata } = source;
  const contactId = metaValue(metadata, META_CONTACT_ID) ?? (jobName?.trim() || fileStem(key));
  const customerId = requireCustomerId(metadata, key);
  const startedAt = requireStartedAt(metadata, key);
  const channel = metaChannel(metadata, key, fileChannel);
  return { contactId, customerId, channel, startedAt };
}

/** A word with the punctuation that follows it, its speaker/channel label and its Transcribe segment. */
interface Word {
  text: string;
  label: string | undefined;
  segment: number | undefined;
  startMs: number | undefined;
}

function standardTurns(out: Standard, metadata: Record<string, string>): Turn[] {
  const channels = out.results.channel_labels?.channels ?? [];
  const segments = out.results.speaker_labels?.segments ?? [];
  let words: Word[];
  let roleOf: (label: string | undefined) => Turn["speaker"];

  if (channels.length > 0) {
    // Each channel's own items carry the punctuation in place; merge the channels by time.
    words = channels
      .flatMap((c) => wordsOf(c.items, () => ({ label: c.channel_label, segment: undefined })))
      .map((w, order) => ({ w, order }))
      .sort((a, b) => (a.w.startMs ?? 0) - (b.w.startMs ?? 0) || a.order - b.order)
      .map(({ w }) => w);
    roleOf = labelRoles(words, metadata, "channel", (labels) => (labels.includes("ch_0") ? "ch_0" : labels[0]));
  } else if (segments.length > 0 || out.results.items.some((i) => i.speaker_label !== undefined)) {
    const bySpan = new Map<string, { label: string; segment: number }>();
    segments.forEach((s, segment) => {
      for (const i of s.items) bySpan.set(`${i.start_time}|${i.end_time}`, { label: i.speaker_label ?? s.speaker_label, segment });
    });
    words = wordsOf(out.results.items, (item) => {
      const seg = bySpan.get(`${item.start_time}|${item.end_time}`);
      return { label: item.speaker_label ?? seg?.label, segment: seg?.segment };
    });
    roleOf = labelRoles(words, metadata, "speaker", (labels) => labels[0]);
  } else {
    words = wordsOf(out.results.items, () => ({ label: undefined, segment: undefined }));
    roleOf = () => "customer";
  }

  const turns: Turn[] = [];
  let current: { speaker: Turn["speaker"]; label: string | undefined; segment: number | undefined; words: Word[] } | undefined;
  const flush = () => {
    if (!current) return;
    const text = current.words.map((w) => w.text).join(" ").trim();
    const startMs = current.words.find((w) => w.startMs !== undefined)?.startMs;
    if (text) turns.push({ speaker: current.speaker, text, ...(startMs !== undefined ? { offsetMs: startMs } : {}) });
  };
  for (const word of words) {
    const sameTurn = current && current.label === word.label && (word.segment === undefined || current.segment === undefined || current.segment === word.segment);
    if (current && sameTurn) {
      current.words.push(word);
      if (word.segment !== undefined) current.segment = word.segment;
      continue;
    }
    flush();
    current = { speaker: roleOf(word.label), label: word.label, segment: word.segment, words: [word] };
  }
  flush();
  return turns;
}

/** Items → words: the first alternative of each; punctuation glued to the word before it. */
function wordsOf(items: readonly Item[], place: (item: Item) => { label: string | undefined; segment: number | undefined }): Word[] {
  const words: Word[] = [];
  for (const item of items) {
    const content = item.alternatives[0]!.content;
    const last = words[words.length - 1];
    if (item.type === "punctuation" && last) {
      last.text += content;
      continue;
    }
    const { label, segment } = place(item);
    const startMs = item.start_time !== undefined ? Math.round(item.start_time * 1000) : undefined;
    words.push({ text: content, label: label ?? (item.type === "punctuation" ? last?.label : undefined), segment, startMs });
  }
  return words;
}

function joinWords(items: readonly { text: string; punctuation: boolean }[]): string {
  let text = "";
  for (const i of items) text += i.punctuation || text === "" ? i.text : ` ${i.text}`;
  return text;
}

/**
 * Role per label: metadata `agent-<kind>` / `customer-<kind>` when given, else the default agent label;
 * the agent's label is the agent, every other label the customer.
 */
function labelRoles(
  words: readonly Word[],
  metadata: Record<string, string>,
  kind: "channel" | "speaker",
  defaultAgent: (labelsInOrder: string[]) => string | undefined,
): (label: string | undefined) => Turn["speaker"] {
  const labels = [...new Set(words.map((w) => w.label).filter((l): l is string => l !== undefined))];
  const agentLabel = metaValue(metadata, `agent-${kind}`);
  const customerLabel = metaValue(metadata, `customer-${kind}`);
  if (agentLabel) return (label) => (label === agentLabel ? "agent" : "customer");
  if (customerLabel) return (label) => (label === customerLabel ? "customer" : "agent");
  const agent = defaultAgent(labels);
  return (label) => (label !== undefined && label === agent ? "agent" : "customer");
}
