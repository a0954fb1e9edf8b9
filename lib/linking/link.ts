import type { Config } from "../config.ts";
import type { LinkFields } from "../contact/contact-record.ts";
import { ineligibility, type LinkInput } from "./eligibility.ts";

export const DAY_MS = 86_400_000;

/** Time order of contacts; the contact id breaks ties so any input order gives the same result. */
export function byStart(a: LinkInput, b: LinkInput): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0;
}

/**
 * The reference linking of SPEC 4: a pure function of the set of contacts. Per customer, in time
 * order, an eligible contact continues the open chain of its reason (of any reason when
 * `sameReasonOnly` is false) when it starts within `windowDays` of that chain's latest contact,
 * and otherwise starts a new chain. Ineligible contacts are volume only.
 */
export function link(contacts: readonly LinkInput[], config: Config): Map<string, LinkFields> {
  const unique = new Map<string, LinkInput>();
  for (const c of [...contacts].sort(byStart)) if (!unique.has(c.contactId)) unique.set(c.contactId, c);

  const byCustomer = new Map<string, LinkInput[]>();
  for (const c of unique.values()) {
    const list = byCustomer.get(c.customerKey) ?? [];
    list.push(c);
    byCustomer.set(c.customerKey, list);
  }

  const links = new Map<string, LinkFields>();
  for (const timeline of byCustomer.values()) linkTimeline(timeline, config, links);
  return links;
}

/** A contact whose links are known and kept: it seeds the open chains of a partial relink. */
export type SeedContact = LinkInput & LinkFields;

/**
 * Links one customer's contacts, already in time order, into `links`.
 *
 * With `seed` (contacts just before the first of `timeline`, at most `windowDays` earlier, with
 * their stored links), only `timeline` is recomputed: the open chain of a reason at any moment is
 * its latest eligible contact, and a chain can only be continued from within the window, so the
 * seed holds all the state that earlier history can pass on. Seed contacts keep their links,
 * except `repeatedBy`, which is derived from the repeatOf pointers of the seed and the
 * recomputed contacts.
 */
export function linkTimeline(
  timeline: readonly LinkInput[],
  config: Config,
  links: Map<string, LinkFields>,
  seed: readonly SeedContact[] = [],
): void {
  const windowMs = config.windowDays * DAY_MS;
  const open = new Map<string, { chainId: string; last: LinkInput }>();
  for (const contact of seed) {
    const { role, repeatOf, chainId } = contact;
    // A seed's repeatedBy is derived, never trusted: it is whoever now points back to it.
    links.set(contact.contactId, { role, repeatOf, chainId, repeatedBy: null });
    const previous = repeatOf ? links.get(repeatOf) : undefined;
    if (previous) previous.repeatedBy = contact.contactId;
    if (!ineligibility(contact, config) && chainId) open.set(config.sameReasonOnly ? contact.reason : "*", { chainId, last: contact });
  }
  for (const contact of timeline) {
    if (ineligibility(contact, config)) {
      links.set(contact.contactId, { role: "none", repeatOf: null, chainId: null, repeatedBy: null });
      continue;
    }
    const key = config.sameReasonOnly ? contact.reason : "*";
    const chain = open.get(key);
    const gap = chain ? Date.parse(contact.startedAt) - Date.parse(chain.last.startedAt) : Infinity;
    if (chain && gap <= windowMs) {
      links.get(chain.last.contactId)!.repeatedBy = contact.contactId;
      links.set(contact.contactId, { role: "repeat", repeatOf: chain.last.contactId, chainId: chain.chainId, repeatedBy: null });
      chain.last = contact;
    } else {
      links.set(contact.contactId, { role: "first", repeatOf: null, chainId: contact.contactId, repeatedBy: null });
      open.set(key, { chainId: contact.contactId, last: contact });
    }
  }
}
