import type { Config } from "../config.ts";
import type { ContactRecord, LinkFields } from "../contact/contact-record.ts";
import { InfrastructureError } from "../errors.ts";
import { ineligibility } from "../linking/eligibility.ts";
import { byStart, DAY_MS, linkTimeline } from "../linking/link.ts";
import type { ContactStore, LinkUpdate } from "../ports/contact-store.ts";
import type { ChainAttribution } from "../contact/contact-record.ts";

/** Attributes a root cause to a repeat from the contacts of its chain that failed before it. */
export type ChainAttributor = (failed: readonly ContactRecord[], repeat: ContactRecord) => ChainAttribution;

const MAX_ATTEMPTS = 10;
/** How many failed contacts before a repeat feed its root cause (the chain's recent history). */
const ATTRIBUTION_DEPTH = 3;

export interface RelinkResult {
  attempts: number;
  read: number;
  changed: number;
  /** The links of every contact the winning round read, as now stored. */
  links: ReadonlyMap<string, LinkFields>;
}

/**
 * Re-links a customer's timeline from `since` on (a new, moved or relabelled contact's start).
 * Reads only `[since − windowDays, …)`: the contacts in the window before `since` keep their
 * stored links and seed the open chains (see linkTimeline), everything from `since` on is
 * recomputed. Then the write-back is made safe against concurrent writers: write what changed,
 * and advance the timeline's version only if nobody advanced it since the read. A writer that
 * lost reads again and rewrites, so the stored links converge to link(contacts) whatever the
 * concurrency, duplicates or order of arrival.
 */
export async function relinkCustomer(
  store: ContactStore,
  config: Config,
  attribute: ChainAttributor,
  customerKey: string,
  since?: string,
): Promise<RelinkResult> {
  let read = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let from = since;
    let timeline = await store.readTimeline(customerKey, from && shift(from, -config.windowDays));
    read += timeline.records.length;
    // A seed contact that is eligible but has no chain yet was stored and not linked (its own
    // relink is still to come, or crashed): it cannot be trusted, so recompute from it.
    for (let untrusted = firstUnlinkedSeed(timeline.records, from, config); untrusted; untrusted = firstUnlinkedSeed(timeline.records, from, config)) {
      from = untrusted.startedAt;
      timeline = await store.readTimeline(customerKey, shift(from, -config.windowDays));
      read += timeline.records.length;
    }
    const { updates, links } = await linkUpdates(timeline.records, config, attribute, from, store);
    await store.writeLinks(customerKey, updates);
    if (await store.advanceVersion(customerKey, timeline.version)) return { attempts: attempt, read, changed: updates.length, links };
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
  }
  throw new InfrastructureError("LINK_CONFLICT", `customer timeline still contended after ${MAX_ATTEMPTS} attempts`);
}

const shift = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY_MS).toISOString();

function firstUnlinkedSeed(records: readonly ContactRecord[], from: string | undefined, config: Config): ContactRecord | undefined {
  if (!from) return undefined;
  return [...records].sort(byStart).find((r) => r.startedAt < from && r.chainId === null && !ineligibility(r, config));
}

/**
 * The link and root-cause fields that differ from what is stored: contacts from `from` on are
 * recomputed, earlier ones (the seed) only get their `repeatedBy` updated.
 */
export async function linkUpdates(
  records: readonly ContactRecord[],
  config: Config,
  attribute: ChainAttributor,
  from?: string,
  store?: ContactStore,
): Promise<{ updates: LinkUpdate[]; links: ReadonlyMap<string, LinkFields> }> {
  const ordered = [...records].sort(byStart);
  const seed = from ? ordered.filter((r) => r.startedAt < from) : [];
  const region = from ? ordered.filter((r) => r.startedAt >= from) : ordered;
  const links = new Map<string, LinkFields>();
  linkTimeline(region, config, links, seed);

  const byId = new Map(ordered.map((r) => [r.contactId, r]));
  const updates: LinkUpdate[] = [];
  for (const record of ordered) {
    const fields = links.get(record.contactId)!;
    const recomputed = !from || record.startedAt >= from;
    const attribution =
      recomputed && fields.role === "repeat"
        ? attribute(await failedContacts(fields, links, byId, store), record)
        : recomputed
          ? { rootCause: undefined, rootCauseConfidence: undefined, rootCauseEvidence: undefined, failedAgents: undefined }
          : {};
    // A seed contact is someone else's to link: only its repeatedBy may change here, so a
    // writer that lost a race can never overwrite the rest of it with what it read.
    const next: LinkUpdate = recomputed
      ? { contactId: record.contactId, startedAt: record.startedAt, ...fields, ...attribution }
      : { contactId: record.contactId, startedAt: record.startedAt, repeatedBy: fields.repeatedBy };
    if (!sameLinks(record, next)) updates.push(next);
  }
  return { updates, links };
}

/** The contacts of a repeat's chain before it (most recent few, oldest first): the failed ones. */
async function failedContacts(
  fields: LinkFields,
  links: Map<string, LinkFields>,
  byId: Map<string, ContactRecord>,
  store: ContactStore | undefined,
): Promise<ContactRecord[]> {
  const chain: ContactRecord[] = [];
  let previous = fields.repeatOf;
  while (previous && chain.length < ATTRIBUTION_DEPTH) {
    const record = byId.get(previous) ?? (await store?.getContact(previous));
    if (!record) break;
    chain.unshift(record);
    previous = links.get(previous)?.repeatOf ?? record.repeatOf;
  }
  return chain;
}

const ATTRIBUTION = ["rootCause", "rootCauseConfidence", "rootCauseEvidence", "failedAgents"] as const;
const COMPARED = ["role", "repeatOf", "chainId", "repeatedBy", ...ATTRIBUTION] as const;

/** True when every field the update carries already has that value. */
function sameLinks(record: ContactRecord, next: LinkUpdate): boolean {
  return COMPARED.every((field) => !(field in next) || JSON.stringify(record[field] ?? null) === JSON.stringify(next[field] ?? null));
}
