import type { Config } from "../config.ts";
import type { ContactRecord, LinkFields } from "../contact/contact-record.ts";
import { InfrastructureError } from "../errors.ts";
import { linkTimeline, byStart } from "../linking/link.ts";
import type { ContactStore, LinkUpdate } from "../ports/contact-store.ts";
import { attributeChain } from "../root-cause/attribute.ts";

const MAX_ATTEMPTS = 8;

/**
 * Re-links one customer's timeline until the write-back wins: read (with its version), compute
 * the links with the reference function, write what changed, then advance the version only if no
 * other writer advanced it meanwhile. A loser's writes may have been stale, so it reads again and
 * rewrites; the last successful round always saw every contact, so the stored links converge to
 * link(contacts) whatever the concurrency or the order of arrival.
 */
export async function relinkCustomer(store: ContactStore, config: Config, customerKey: string): Promise<{ attempts: number; changed: number }> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const timeline = await store.readTimeline(customerKey);
    const updates = linkUpdates(timeline.records, config);
    await store.writeLinks(customerKey, updates);
    if (await store.advanceVersion(customerKey, timeline.version)) return { attempts: attempt, changed: updates.length };
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
  throw new InfrastructureError("LINK_CONFLICT", `customer timeline still contended after ${MAX_ATTEMPTS} attempts`);
}

/** The link (and root-cause) fields that differ from what is stored, for every contact of a timeline. */
export function linkUpdates(records: readonly ContactRecord[], config: Config): LinkUpdate[] {
  const ordered = [...records].sort(byStart);
  const links = new Map<string, LinkFields>();
  linkTimeline(ordered, config, links);
  const byId = new Map(ordered.map((r) => [r.contactId, r]));
  const updates: LinkUpdate[] = [];
  for (const record of ordered) {
    const fields = links.get(record.contactId)!;
    const attribution = fields.role === "repeat" ? attributeChain(chainBefore(fields, links, byId), record) : undefined;
    const next: LinkUpdate = { contactId: record.contactId, startedAt: record.startedAt, ...fields, ...attribution };
    if (!sameLinks(record, next)) updates.push(next);
  }
  return updates;
}

/** The contacts of a repeat's chain before it, oldest first: the failed contacts. */
function chainBefore(fields: LinkFields, links: Map<string, LinkFields>, byId: Map<string, ContactRecord>): ContactRecord[] {
  const chain: ContactRecord[] = [];
  let previous = fields.repeatOf;
  while (previous) {
    const record = byId.get(previous);
    if (!record) break;
    chain.unshift(record);
    previous = links.get(previous)?.repeatOf ?? null;
  }
  return chain;
}

const COMPARED = ["role", "repeatOf", "chainId", "repeatedBy", "rootCause", "rootCauseConfidence", "rootCauseEvidence", "failedAgents"] as const;

function sameLinks(record: ContactRecord, next: LinkUpdate): boolean {
  return COMPARED.every((field) => JSON.stringify(record[field] ?? null) === JSON.stringify(next[field] ?? null));
}
