import { createHash } from "node:crypto";

/**
 * Test support: one native-envelope conversation (SPEC 2.1) → the same conversation in the formats
 * AWS writes (SPEC 2.2–2.4), with the field names and nesting of the real files in
 * tests/fixtures/formats/ — so that a test can feed one set of conversations through every parser
 * and expect the same contacts out.
 *
 * Pure: every id, time and key is derived from the envelope (no clock, no randomness), so the
 * same envelope always gives the same bytes. Turn texts are never changed (no redaction, no
 * re-tokenisation that would lose characters), so the classifiers see the same words.
 *
 * What a format cannot say, it does not pretend to: `cannotExpress(envelope, target)` tells why a
 * conversation does not fit a target (an outbound call in a format without initiation, a system
 * message in Transcribe output …) and the converters throw `CannotExpressError` for such input.
 */

export type Speaker = "customer" | "agent" | "system";

export interface EnvelopeTurn {
  speaker: Speaker;
  text: string;
  offsetMs?: number | null;
}

/** SPEC 2.1, as the demo files write it. */
export interface Envelope {
  schema: "recontact.transcript/v1";
  contactId: string;
  customer: { id: string };
  channel: "voice" | "chat" | "email" | "sms" | "social";
  startedAt: string;
  endedAt?: string | null;
  language?: string | null;
  agent?: { id: string; team?: string | null } | null;
  queue?: string | null;
  initiation?: "inbound" | "outbound" | "transfer" | "callback" | "queue_callback";
  previousContactId?: string | null;
  disposition?: "completed" | "abandoned";
  turns: EnvelopeTurn[];
}

/** One object as it would land in S3: its key (relative to the bucket prefix), body and user metadata. */
export interface ConvertedFile {
  key: string;
  body: string;
  /** S3 user metadata (`x-amz-meta-*` without the prefix), i.e. the `<file>.meta.json` sidecar. */
  meta?: Record<string, string>;
}

export interface ContactLensFiles extends ConvertedFile {
  /** The contact trace record that carries the customer (option `viaCtr`), as Firehose writes it. */
  ctr?: ConvertedFile;
}

export type TargetFormat =
  | "contact-lens-1.1.0"
  | "contact-lens-voice-2022"
  | "contact-lens-chat-2022"
  | "contact-lens-redacted"
  | "contact-lens-ctr"
  | "transcribe-channel"
  | "transcribe-speaker"
  | "call-analytics"
  | "plain-text";

export class CannotExpressError extends Error {
  constructor(
    readonly contactId: string,
    readonly target: string,
    why: string,
  ) {
    super(`${contactId} cannot be written as ${target}: ${why}`);
    this.name = "CannotExpressError";
  }
}

// ---------------------------------------------------------------------------------------------
// What each format can carry

/**
 * Why `envelope` cannot be written as `target` without changing what the pipeline concludes, or
 * undefined when it can. The rules follow the parsers:
 * - only a CTR carries initiation, agent, previous contact and abandonment, so everything else is
 *   limited to inbound, completed contacts (the parsers' defaults);
 * - Contact Lens is voice or chat only; Transcribe output (standard and Call Analytics) is speech
 *   with two roles, AGENT and CUSTOMER, and no line breaks;
 * - Transcribe channel labels merge consecutive turns of one speaker (one channel, no pause rule);
 * - a contact without turns cannot be any transcript (Connect does not analyse abandoned calls).
 */
export function cannotExpress(envelope: Envelope, target: TargetFormat): string | undefined {
  const initiation = envelope.initiation ?? "inbound";
  const disposition = envelope.disposition ?? "completed";
  const speakers = new Set(envelope.turns.map((t) => t.speaker));
  const hasText = envelope.turns.some((t) => t.text.trim() !== "");
  if (!hasText || disposition === "abandoned") return "no turns (abandoned): not a transcript";
  const ctrOnly = initiation !== "inbound" ? `initiation ${initiation} needs a contact trace record` : undefined;
  switch (target) {
    case "contact-lens-1.1.0":
    case "contact-lens-voice-2022":
    case "contact-lens-redacted":
      if (envelope.channel !== "voice") return `channel ${envelope.channel}: a voice analysis file is voice only`;
      if (speakers.has("system")) return "system messages: voice analysis files have AGENT and CUSTOMER only";
      return ctrOnly;
    case "contact-lens-chat-2022":
      if (envelope.channel !== "chat") return `channel ${envelope.channel}: a chat analysis file is chat only`;
      return ctrOnly;
    case "contact-lens-ctr":
      if (envelope.channel !== "voice" && envelope.channel !== "chat") return `channel ${envelope.channel}: Contact Lens is voice and chat only`;
      if (initiation === "transfer" && !envelope.previousContactId) return "a transfer without previousContactId";
      return undefined;
    case "transcribe-channel":
    case "transcribe-speaker":
    case "call-analytics":
      if (envelope.channel !== "voice") return `channel ${envelope.channel}: Transcribe output is speech`;
      if (speakers.has("system")) return "system messages: Transcribe output has two roles";
      if (envelope.turns.some((t) => /[\r\n]/.test(t.text))) return "line breaks in a turn: speech has none";
      if (target === "transcribe-channel" && envelope.turns.some((t, i) => i > 0 && envelope.turns[i - 1]!.speaker === t.speaker)) {
        return "consecutive turns of one speaker merge into one on a channel";
      }
      return ctrOnly;
    case "plain-text":
      if (envelope.turns.some((t) => t.text.split(/\r\n|\r|\n/).some((line, i) => i > 0 && line.trim() !== "" && looksLikeSpeakerLine(line)))) {
        return "a continuation line that looks like a speaker line";
      }
      return ctrOnly;
  }
}

function assertExpressible(envelope: Envelope, target: TargetFormat): void {
  const why = cannotExpress(envelope, target);
  if (why) throw new CannotExpressError(envelope.contactId, target, why);
}

// ---------------------------------------------------------------------------------------------
// Amazon Connect Contact Lens (SPEC 2.2)

export interface ContactLensOptions {
  version: "1.1.0" | "CHAT-2022-11-30" | "VOICE-2022-11-30";
  /** Writes the `Redacted/` twin: key, file name and `ContentMetadata.Output`. Texts stay as they are. */
  redacted?: boolean;
  /**
   * The customer comes from a contact trace record written next to the file (as Kinesis Firehose
   * delivers it), not from S3 metadata: the analysis file then has no sidecar at all.
   */
  viaCtr?: boolean;
  /** The Amazon Connect instance id in `CustomerMetadata` and the CTR; a fixed example by default. */
  instanceId?: string;
}

const ACCOUNT_ID = "111122223333";
const INSTANCE_ID = "aaaaaaaa-bbbb-4ccc-8ddd-111111111111";
const REGION = "us-west-2";

/**
 * The Contact Lens analysis file of a conversation, under
 * `Analysis/{Voice,Chat}/[Redacted/]YYYY/MM/DD/<contactId>_analysis_[redacted_]<ts>.json` where `<ts>`
 * is when the analysis ran (a minute after the contact ended).
 *
 * Voice: transcript entries with `ParticipantId` `AGENT` / `CUSTOMER`, `BeginOffsetMillis` /
 * `EndOffsetMillis`, `Sentiment`, `LoudnessScore`, and `CustomerMetadata.InputS3Uri` naming the call
 * recording `<contactId>_<YYYYMMDD>T<HH:MM>_UTC.wav` as Connect does. Chat: `MESSAGE` entries with
 * `AbsoluteTime` (start + the turn's offset), participant-joined/left and chat-ended `EVENT`s,
 * `Participants` with display names, SYSTEM_MESSAGE for system turns.
 *
 * Identity: with a sidecar (default) the metadata holds `customer-id` and, for voice, `started-at`
 * (a voice file's offsets are relative to the recording; a chat's start is its first
 * `AbsoluteTime`). With `viaCtr` there is no sidecar; the returned `ctr` object carries the
 * customer, start, initiation, agent and queue.
 *
 * Deviation, documented: a voice conversation with `system` turns (a transfer announcement) is
 * written with `ParticipantId`/`ParticipantRole` `SYSTEM`, which real voice files do not have; the
 * parser reads any role name. `cannotExpress` keeps such conversations out of the sidecar variants.
 */
export function toContactLens(envelope: Envelope, options: ContactLensOptions): ContactLensFiles {
  const isChat = options.version === "CHAT-2022-11-30";
  const target: TargetFormat = options.viaCtr
    ? "contact-lens-ctr"
    : isChat
      ? "contact-lens-chat-2022"
      : options.redacted
        ? "contact-lens-redacted"
        : options.version === "1.1.0"
          ? "contact-lens-1.1.0"
          : "contact-lens-voice-2022";
  assertExpressible(envelope, target);
  if (isChat !== (envelope.channel === "chat")) {
    throw new CannotExpressError(envelope.contactId, `Contact Lens ${options.version}`, `a ${envelope.channel} contact`);
  }
  const instanceId = options.instanceId ?? INSTANCE_ID;
  const timeline = turnTimeline(envelope);
  const ended = endOf(envelope, timeline);
  const analysedAt = isoSeconds(new Date(ended.getTime() + 61_000));
  const redacted = options.redacted === true;

  const base = {
    Version: options.version,
    AccountId: ACCOUNT_ID,
    Channel: isChat ? "CHAT" : "VOICE",
    ...(isChat ? { ChatTranscriptVersion: "2019-08-26" } : {}),
    ContentMetadata: redacted
      ? { Output: "Redacted", RedactionTypes: ["PII"], RedactionTypesMetadata: { PII: { RedactionMaskMode: "PII" } } }
      : { Output: "Raw" },
    JobStatus: "COMPLETED",
    ...(envelope.language ? { LanguageCode: languageCode(envelope.language) } : {}),
  };
  const customerMetadata = {
    ContactId: envelope.contactId,
    InputS3Uri: isChat
      ? `s3://amazon-connect-${instanceId.slice(0, 8)}/connect/example/ChatTranscripts/${datePath(envelope.startedAt)}/${envelope.contactId}_${compactStamp(envelope.startedAt)}.json`
      : `s3://amazon-connect-${instanceId.slice(0, 8)}/connect/example/CallRecordings/${datePath(envelope.startedAt)}/${envelope.contactId}_${recordingStamp(envelope.startedAt)}_UTC.wav`,
    InstanceId: instanceId,
  };

  let file: Record<string, unknown>;
  if (isChat) {
    const ids = { customer: fakeUuid(envelope.contactId, "customer"), agent: fakeUuid(envelope.contactId, "agent"), system: fakeUuid(envelope.contactId, "system") };
    const names = { customer: "Customer", agent: envelope.agent?.id ?? "Agent", system: "SYSTEM_MESSAGE" };
    const start = Date.parse(envelope.startedAt);
    const entries: Record<string, unknown>[] = [event(envelope, "customer-joined", start, "participant.joined", ids.customer, "CUSTOMER", names.customer)];
    const firstAgent = timeline.findIndex((t) => t.speaker === "agent");
    envelope.turns.forEach((turn, i) => {
      const at = start + timeline[i]!.beginMs;
      if (i === firstAgent) entries.push(event(envelope, "agent-joined", Math.max(start, at - 1_500), "participant.joined", ids.agent, "AGENT", names.agent));
      if (turn.text.trim() === "") return;
      entries.push({
        AbsoluteTime: new Date(at).toISOString(),
        Content: turn.text,
        ContentType: "text/plain",
        DisplayName: names[turn.speaker],
        Id: fakeUuid(envelope.contactId, `turn-${i}`),
        ParticipantId: ids[turn.speaker],
        ParticipantRole: role(turn.speaker),
        Type: "MESSAGE",
      });
    });
    const last = start + Math.max(0, ...timeline.map((t) => t.endMs));
    entries.push(event(envelope, "customer-left", last + 1_000, "participant.left", ids.customer, "CUSTOMER", names.customer));
    entries.push({ AbsoluteTime: new Date(last + 1_400).toISOString(), ContentType: "application/vnd.amazonaws.connect.event.chat.ended", Id: fakeUuid(envelope.contactId, "ended"), Type: "EVENT" });
    const present = new Set(envelope.turns.map((t) => t.speaker));
    file = {
      ...base,
      Participants: (["customer", "system", "agent"] as const)
        .filter((s) => s === "customer" || present.has(s))
        .map((s) => ({ DisplayName: names[s], ParticipantId: ids[s], ParticipantRole: role(s) })),
      Categories: { MatchedCategories: [], MatchedDetails: {} },
      ConversationCharacteristics: { ContactSummary: {}, Sentiment: {} },
      Transcript: entries,
      CustomerMetadata: customerMetadata,
    };
  } else {
    const entries = envelope.turns.flatMap((turn, i) =>
      turn.text.trim() === ""
        ? []
        : [
            {
              BeginOffsetMillis: timeline[i]!.beginMs,
              Content: turn.text,
              EndOffsetMillis: timeline[i]!.endMs,
              Id: fakeUuid(envelope.contactId, `turn-${i}`),
              ParticipantId: role(turn.speaker),
              ...(turn.speaker === "system" ? { ParticipantRole: "SYSTEM" } : {}),
              Sentiment: "NEUTRAL",
              LoudnessScore: [72.5],
            },
          ],
    );
    const present = [...new Set(envelope.turns.map((t) => t.speaker))];
    file = {
      ...base,
      Participants: (["agent", "customer", "system"] as const).filter((s) => s !== "system" || present.includes(s)).map((s) => ({ ParticipantId: role(s), ParticipantRole: role(s) })),
      Categories: { MatchedCategories: [], MatchedDetails: {} },
      ConversationCharacteristics: {
        TotalConversationDurationMillis: Math.max(0, ...timeline.map((t) => t.endMs)),
        Sentiment: { OverallSentiment: { AGENT: 0, CUSTOMER: 0 } },
        Interruptions: { InterruptionsByInterrupter: {}, TotalCount: 0, TotalTimeMillis: 0 },
      },
      CustomModels: [],
      Transcript: entries,
      CustomerMetadata: customerMetadata,
    };
  }

  const folder = `Analysis/${isChat ? "Chat" : "Voice"}/${redacted ? "Redacted/" : ""}${datePath(analysedAt)}`;
  const key = `${folder}/${envelope.contactId}_analysis_${redacted ? "redacted_" : ""}${analysedAt}.json`;
  const body = JSON.stringify(file);
  if (options.viaCtr) return { key, body, ctr: toCtr(envelope, { instanceId }) };
  return {
    key,
    body,
    meta: { "customer-id": envelope.customer.id, ...(isChat ? {} : { "started-at": envelope.startedAt }) },
  };
}

function event(envelope: Envelope, id: string, at: number, kind: string, participantId: string, participantRole: string, displayName: string): Record<string, unknown> {
  return {
    AbsoluteTime: new Date(at).toISOString(),
    ContentType: `application/vnd.amazonaws.connect.event.${kind}`,
    DisplayName: displayName,
    Id: fakeUuid(envelope.contactId, id),
    ParticipantId: participantId,
    ParticipantRole: participantRole,
    Type: "EVENT",
  };
}

// ---------------------------------------------------------------------------------------------
// Contact trace record (SPEC 2.2), as Kinesis Data Firehose delivers it

const INITIATION_METHODS: Record<NonNullable<Envelope["initiation"]>, string> = {
  inbound: "INBOUND",
  outbound: "OUTBOUND",
  transfer: "TRANSFER",
  callback: "CALLBACK",
  queue_callback: "CALLBACK",
};

/**
 * The contact trace record of a conversation: one JSON record (Firehose concatenates records; one
 * record is one JSON value) under `ctr/YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>`, the
 * default Firehose object name, dated by the delivery (just after `LastUpdateTimestamp`).
 *
 * Field names as in the Amazon Connect contact records data model: an inbound chat is
 * `InitiationMethod: API` (StartChatContact), everything else maps from `initiation`;
 * `CustomerEndpoint.Type` is `EMAIL_ADDRESS` for an e-mail address, else `TELEPHONE_NUMBER`; an
 * abandoned contact was enqueued and has `Agent: null`.
 */
export function toCtr(envelope: Envelope, options: { instanceId?: string; stream?: string } = {}): ConvertedFile {
  const instanceId = options.instanceId ?? INSTANCE_ID;
  const instanceArn = `arn:aws:connect:${REGION}:${ACCOUNT_ID}:instance/${instanceId}`;
  const timeline = turnTimeline(envelope);
  const start = Date.parse(envelope.startedAt);
  const ended = endOf(envelope, timeline);
  const lastUpdate = new Date(ended.getTime() + 45_000);
  const initiation = envelope.initiation ?? "inbound";
  const abandoned = (envelope.disposition ?? "completed") === "abandoned";
  const isChat = envelope.channel === "chat";
  const agent = !abandoned && envelope.agent ? envelope.agent : undefined;
  // Enqueued when an agent took it or when the caller gave up in the queue; a voicemail never queued.
  const enqueued = agent !== undefined || abandoned;
  const enqueueAt = new Date(start + 8_000);
  const connectedAt = new Date(start + 20_000);
  const address = envelope.customer.id;
  const record = {
    AWSAccountId: ACCOUNT_ID,
    AWSContactTraceRecordFormatVersion: "2017-03-10",
    Agent: agent
      ? {
          ARN: `${instanceArn}/agent/${fakeUuid(agent.id, "agent-arn")}`,
          AfterContactWorkDuration: null,
          AgentInteractionDuration: Math.max(1, Math.round((ended.getTime() - connectedAt.getTime()) / 1000)),
          ConnectedToAgentTimestamp: isoSeconds(connectedAt),
          CustomerHoldDuration: 0,
          HierarchyGroups: null,
          LongestHoldDuration: 0,
          NumberOfHolds: 0,
          RoutingProfile: { ARN: `${instanceArn}/routing-profile/${fakeUuid(agent.team ?? "default", "rp")}`, Name: agent.team ?? "Basic Routing Profile" },
          Username: agent.id,
        }
      : null,
    AgentConnectionAttempts: agent ? 1 : 0,
    Attributes: {},
    Channel: isChat ? "CHAT" : "VOICE",
    ConnectedToSystemTimestamp: isoSeconds(new Date(start + 1_000)),
    ContactId: envelope.contactId,
    CustomerEndpoint: { Address: address, Type: address.includes("@") && !address.startsWith("@") ? "EMAIL_ADDRESS" : "TELEPHONE_NUMBER" },
    DisconnectReason: "CUSTOMER_DISCONNECT",
    DisconnectTimestamp: isoSeconds(ended),
    InitialContactId: envelope.previousContactId ?? envelope.contactId,
    InitiationMethod: isChat && initiation === "inbound" ? "API" : INITIATION_METHODS[initiation],
    InitiationTimestamp: isoSeconds(new Date(start)),
    InstanceARN: instanceArn,
    LastUpdateTimestamp: isoSeconds(lastUpdate),
    MediaStreams: [{ Type: isChat ? "CHAT" : "AUDIO" }],
    NextContactId: null,
    PreviousContactId: envelope.previousContactId ?? null,
    Queue: envelope.queue
      ? {
          ARN: `${instanceArn}/queue/${fakeUuid(envelope.queue, "queue")}`,
          ...(enqueued
            ? {
                DequeueTimestamp: isoSeconds(agent ? connectedAt : ended),
                Duration: Math.round(((agent ? connectedAt : ended).getTime() - enqueueAt.getTime()) / 1000),
                EnqueueTimestamp: isoSeconds(enqueueAt),
              }
            : { DequeueTimestamp: null, Duration: null, EnqueueTimestamp: null }),
          Name: envelope.queue,
        }
      : null,
    Recording: null,
    Recordings: null,
    SystemEndpoint: isChat ? null : { Address: "+12065550100", Type: "TELEPHONE_NUMBER" },
    TransferCompletedTimestamp: null,
    TransferredToEndpoint: null,
  };
  const delivered = new Date(lastUpdate.getTime() + 60_000);
  const stream = options.stream ?? "recontact-ctr";
  const stamp = delivered.toISOString().slice(0, 19).replace(/[T:]/g, "-");
  const hour = delivered.toISOString().slice(11, 13);
  return { key: `ctr/${datePath(delivered.toISOString())}/${hour}/${stream}-1-${stamp}-${fakeUuid(envelope.contactId, "firehose")}`, body: JSON.stringify(record) };
}

// ---------------------------------------------------------------------------------------------
// Amazon Transcribe (SPEC 2.3)

export interface TranscribeOptions {
  /** `channel`: stereo, agent on ch_0 and customer on ch_1 (as Connect records); `speaker`: speaker partitioning. */
  labels: "channel" | "speaker";
}

/**
 * Standard Transcribe batch output: `jobName`, `results.transcripts[0].transcript`,
 * `results.items` (pronunciation items with `start_time`/`end_time` strings in seconds and
 * `alternatives[{confidence, content}]`; punctuation items without times), and either
 * `results.channel_labels.channels[{channel_label, items}]` with `number_of_channels`, or
 * `results.speaker_labels{speakers, segments[{start_time, end_time, speaker_label, items}]}`.
 *
 * Words are the turn text split at white space; trailing punctuation (`.,?!;:…` and the full-width
 * forms) becomes punctuation items, which the parser glues back to the word before — so the turn
 * text comes back unchanged. Scripts without spaces (Chinese) stay one "word" per run.
 *
 * The sidecar carries customer-id, contact-id, started-at and channel, plus the role labels when
 * the parser's defaults (agent on ch_0; the first speaker is the agent) would get them wrong.
 */
export function toTranscribeStandard(envelope: Envelope, options: TranscribeOptions): ConvertedFile {
  assertExpressible(envelope, options.labels === "channel" ? "transcribe-channel" : "transcribe-speaker");
  const jobName = `recontact-${envelope.contactId}`;
  const timeline = turnTimeline(envelope);
  const speakerLabels = new Map<Speaker, string>();
  for (const t of envelope.turns) if (t.text.trim() && !speakerLabels.has(t.speaker)) speakerLabels.set(t.speaker, `spk_${speakerLabels.size}`);
  const channelOf = (s: Speaker) => (s === "agent" ? "ch_0" : "ch_1");

  const all: TranscribeItem[] = [];
  const byChannel = new Map<string, TranscribeItem[]>([["ch_0", []], ["ch_1", []]]);
  const segments: Record<string, unknown>[] = [];
  envelope.turns.forEach((turn, i) => {
    const items = transcribeItems(turn.text, timeline[i]!.beginMs);
    if (items.length === 0) return;
    all.push(...items);
    byChannel.get(channelOf(turn.speaker))!.push(...items);
    const words = items.filter((it) => it.type === "pronunciation");
    const label = speakerLabels.get(turn.speaker)!;
    segments.push({
      start_time: words[0]!.start_time,
      speaker_label: label,
      end_time: words.at(-1)!.end_time,
      items: words.map((w) => ({ start_time: w.start_time, speaker_label: label, end_time: w.end_time })),
    });
  });

  const results: Record<string, unknown> = {
    ...(envelope.language ? { language_code: languageCode(envelope.language) } : {}),
    transcripts: [{ transcript: envelope.turns.map((t) => t.text.trim()).filter(Boolean).join(" ") }],
  };
  if (options.labels === "channel") {
    results.channel_labels = {
      channels: [...byChannel].map(([channel_label, items]) => ({ channel_label, items })),
      number_of_channels: 2,
    };
  } else {
    results.speaker_labels = { speakers: speakerLabels.size, segments };
  }
  results.items = all;

  const meta: Record<string, string> = identityMeta(envelope);
  if (options.labels === "channel") {
    // Default: ch_0 is the agent. Without agent speech only ch_1 has words, and the parser would
    // take the first label it sees for the agent: say which channel the customer is on.
    if (!envelope.turns.some((t) => t.speaker === "agent" && t.text.trim())) meta["customer-channel"] = "ch_1";
  } else {
    // Default: the first speaker is the agent.
    const first = envelope.turns.find((t) => t.text.trim())!.speaker;
    if (first !== "agent") {
      const agentLabel = speakerLabels.get("agent");
      if (agentLabel) meta["agent-speaker"] = agentLabel;
      else meta["customer-speaker"] = speakerLabels.get("customer")!;
    }
  }
  return { key: `transcribe/${jobName}.json`, body: JSON.stringify({ jobName, accountId: ACCOUNT_ID, results, status: "COMPLETED" }), meta };
}

interface TranscribeItem {
  start_time?: string;
  end_time?: string;
  alternatives: { confidence: string; content: string }[];
  type: "pronunciation" | "punctuation";
}

const TRAILING_PUNCTUATION = /[.,?!;:…。，？！、；：؟،]+$/u;
const WORD_MS = 320;

/** Text → items whose re-joining (words with spaces, punctuation glued) gives the same text. */
function transcribeItems(text: string, beginMs: number): TranscribeItem[] {
  const items: TranscribeItem[] = [];
  let at = beginMs;
  for (const chunk of text.trim().split(/\s+/).filter(Boolean)) {
    const punct = chunk.match(TRAILING_PUNCTUATION)?.[0] ?? "";
    const word = chunk.slice(0, chunk.length - punct.length);
    if (!word) {
      // A chunk of punctuation only ("-", "…") is spoken as a word: gluing it would lose a space.
      items.push(pronunciation(chunk, at));
      at += WORD_MS;
      continue;
    }
    items.push(pronunciation(word, at));
    at += WORD_MS;
    for (const p of punct) items.push({ alternatives: [{ confidence: "0.0", content: p }], type: "punctuation" });
  }
  return items;
}

function pronunciation(content: string, atMs: number): TranscribeItem {
  return { start_time: seconds(atMs), end_time: seconds(atMs + WORD_MS - 20), alternatives: [{ confidence: "0.998", content }], type: "pronunciation" };
}

/**
 * Transcribe Call Analytics output: `JobName`, `LanguageCode`, `Channel: "VOICE"`, `Participants`,
 * `Transcript[{Id, ParticipantRole, Content, BeginOffsetMillis, EndOffsetMillis, Sentiment,
 * LoudnessScores, Items[{Type, Confidence, Content, BeginOffsetMillis?, EndOffsetMillis?}]}]`,
 * `Categories`, `ConversationCharacteristics`, `ContentMetadata`. Sidecar as for standard output.
 */
export function toCallAnalytics(envelope: Envelope): ConvertedFile {
  assertExpressible(envelope, "call-analytics");
  const jobName = `recontact-${envelope.contactId}`;
  const timeline = turnTimeline(envelope);
  const transcript = envelope.turns.flatMap((turn, i) => {
    if (turn.text.trim() === "") return [];
    const items = transcribeItems(turn.text, timeline[i]!.beginMs).map((it) =>
      it.type === "punctuation"
        ? { Type: "punctuation", Confidence: 0.0, Content: it.alternatives[0]!.content }
        : { Type: "pronunciation", Confidence: 0.998, Content: it.alternatives[0]!.content, BeginOffsetMillis: ms(it.start_time!), EndOffsetMillis: ms(it.end_time!) },
    );
    return [
      {
        LoudnessScores: [80.1],
        Content: turn.text,
        Items: items,
        Id: fakeUuid(envelope.contactId, `ca-turn-${i}`),
        BeginOffsetMillis: timeline[i]!.beginMs,
        EndOffsetMillis: timeline[i]!.endMs,
        Sentiment: "NEUTRAL",
        ParticipantRole: role(turn.speaker),
      },
    ];
  });
  const file = {
    JobStatus: "COMPLETED",
    ...(envelope.language ? { LanguageCode: languageCode(envelope.language) } : {}),
    Transcript: transcript,
    AccountId: ACCOUNT_ID,
    Categories: { MatchedDetails: {}, MatchedCategories: [] },
    Channel: "VOICE",
    JobName: jobName,
    Participants: [{ ParticipantRole: "AGENT" }, { ParticipantRole: "CUSTOMER" }],
    ConversationCharacteristics: {
      NonTalkTime: { Instances: [], TotalTimeMillis: 0 },
      Interruptions: { TotalCount: 0, TotalTimeMillis: 0, InterruptionsByInterrupter: {} },
      TotalConversationDurationMillis: Math.max(0, ...timeline.map((t) => t.endMs)),
    },
    ContentMetadata: { Output: "Raw" },
  };
  return { key: `call-analytics/${jobName}.json`, body: JSON.stringify(file), meta: identityMeta(envelope) };
}

// ---------------------------------------------------------------------------------------------
// Plain text (SPEC 2.4)

/** Speaker words per language, as lib/formats/plain-text.ts reads them; `System` is the only system word. */
export const SPEAKER_WORDS: Record<string, { agent: string; customer: string; colon: string }> = {
  en: { agent: "Agent", customer: "Customer", colon: ": " },
  nl: { agent: "Medewerker", customer: "Klant", colon: ": " },
  ar: { agent: "الموظف", customer: "العميل", colon: ": " },
  fa: { agent: "کارشناس", customer: "مشتری", colon: ": " },
  ko: { agent: "상담원", customer: "고객", colon: "：" },
  zh: { agent: "客服", customer: "客户", colon: "：" },
};

/**
 * `<Speaker>: text` lines with the speaker words of `language` (en nl ar fa ko zh); a multi-line
 * turn continues on the following lines. Blank lines inside a turn are dropped (the parser skips
 * them: a turn's text keeps its lines joined by one line break). Sidecar as for Transcribe output.
 */
export function toPlainText(envelope: Envelope, language: string): ConvertedFile {
  assertExpressible(envelope, "plain-text");
  const words = SPEAKER_WORDS[language];
  if (!words) throw new CannotExpressError(envelope.contactId, "plain-text", `no speaker words for language ${language}`);
  const lines: string[] = [];
  for (const turn of envelope.turns) {
    if (turn.text.trim() === "") continue;
    const word = turn.speaker === "system" ? "System" : words[turn.speaker];
    const colon = turn.speaker === "system" ? ": " : words.colon;
    const [first, ...rest] = turn.text.split(/\r\n|\r|\n/);
    lines.push(`${word}${colon}${first!.trim()}`, ...rest.map((l) => l.trim()).filter(Boolean));
  }
  return { key: `plain-text/${envelope.contactId}.txt`, body: `${lines.join("\n")}\n`, meta: identityMeta(envelope) };
}

/** What lib/formats/plain-text.ts would take for a speaker line (any language's words, A:/C:). */
function looksLikeSpeakerLine(line: string): boolean {
  const all = [...Object.values(SPEAKER_WORDS).flatMap((w) => [w.agent, w.customer]), "agent", "customer", "system", "medewerker", "klant", "الوكيل", "الزبون", "اپراتور", "상담사", "坐席", "顾客"];
  const trimmed = line.replace(/^[\s\u200e\u200f\u061c]+/u, "");
  return /^(A|C)[ \t]*[:：]/.test(trimmed) || all.some((w) => new RegExp(`^${w}[ \\t]*[:：]`, "iu").test(trimmed));
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** S3 metadata of the formats that carry no identity (SPEC 2.3): customer, contact, start, channel. */
function identityMeta(envelope: Envelope): Record<string, string> {
  return { "customer-id": envelope.customer.id, "contact-id": envelope.contactId, "started-at": envelope.startedAt, channel: envelope.channel };
}

/** Begin/end of every turn in ms from the start: the envelope's offsets where they go forward, else a steady pace. */
function turnTimeline(envelope: Envelope): { speaker: Speaker; beginMs: number; endMs: number }[] {
  let cursor = 0;
  return envelope.turns.map((turn) => {
    const words = Math.max(1, turn.text.trim().split(/\s+/).length);
    const beginMs = Math.max(cursor, Math.round(turn.offsetMs ?? cursor));
    const endMs = beginMs + words * WORD_MS;
    cursor = endMs + 200;
    return { speaker: turn.speaker, beginMs, endMs };
  });
}

function endOf(envelope: Envelope, timeline: { endMs: number }[]): Date {
  const start = Date.parse(envelope.startedAt);
  const spoken = start + Math.max(0, ...timeline.map((t) => t.endMs)) + 5_000;
  const given = envelope.endedAt ? Date.parse(envelope.endedAt) : Number.NaN;
  return new Date(Number.isNaN(given) ? spoken : Math.max(given, start + 1_000));
}

function role(speaker: Speaker): "AGENT" | "CUSTOMER" | "SYSTEM" {
  return speaker === "agent" ? "AGENT" : speaker === "customer" ? "CUSTOMER" : "SYSTEM";
}

const LANGUAGE_CODES: Record<string, string> = { en: "en-US", nl: "nl-NL", ar: "ar-SA", fa: "fa-IR", ko: "ko-KR", zh: "zh-CN", de: "de-DE", fr: "fr-FR", es: "es-ES" };

function languageCode(language: string): string {
  return language.includes("-") ? language : (LANGUAGE_CODES[language] ?? language);
}

/** `2026-11-02T11:05:00.000Z` → `2026-11-02T11:05:00Z` (how Connect writes its timestamps). */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function datePath(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10).replace(/-/g, "/");
}

/** Connect's call recording name: `YYYYMMDDTHH:MM`. */
function recordingStamp(iso: string): string {
  const d = new Date(iso).toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 16)}`;
}

function compactStamp(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

function ms(seconds: string): number {
  return Math.round(Number(seconds) * 1000);
}

/** A UUID-shaped id derived from its inputs: stable across runs, distinct per input. */
export function fakeUuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
