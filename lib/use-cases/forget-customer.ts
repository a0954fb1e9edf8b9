import type { Config } from "../config.ts";
import type { ContactRecord } from "../contact/contact-record.ts";
import { customerKeyOf, normaliseCustomerId } from "../contact/identity.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { ContactStore, RemovedItems } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { shiftWeek } from "../time/iso-week.ts";
import { buildWeeklyReport, reportKey, TREND_WEEKS } from "./build-weekly-report.ts";

export interface ForgetDeps {
  config: Config;
  objects: ObjectStore;
  contacts: ContactStore;
  log: Logger;
  metrics?: Metrics;
  clock: () => Date;
}

export interface ForgetResult {
  /** The customer's keys (keyed hashes; the raw identifier is never returned or logged). */
  customerKeys: string[];
  /** Items deleted from the store, all kinds together: the count SPEC 7 asks for. */
  items: number;
  removed: RemovedItems;
  /** Reports written again without the customer, ascending. */
  reports: string[];
  /**
   * The input objects their contacts were read from. They are not deleted here: the inputs are
   * the contact center's record, kept for `retentionDays`; delete them too if the request covers them.
   */
  sourceObjects: string[];
}

/** The customer key of a raw identifier, normalised as at ingest (SPEC 2.5). */
export function customerKeyOfRaw(rawId: string, secret: string, config: Pick<Config, "defaultCountry">): string {
  return customerKeyOf(normaliseCustomerId(rawId, config.defaultCountry), secret);
}

/**
 * Every key a customer may be stored under: the current secret's and, during a rotation's grace
 * period, the previous secret's (for contacts not re-keyed yet).
 */
export function customerKeysOfRaw(rawId: string, runtime: { hashSecret: string; previousHashSecret?: string; config: Pick<Config, "defaultCountry"> }): string[] {
  const secrets = [runtime.hashSecret, ...(runtime.previousHashSecret ? [runtime.previousHashSecret] : [])];
  return secrets.map((secret) => customerKeyOfRaw(rawId, secret, runtime.config));
}

/**
 * SPEC 7: removes everything the store holds about one customer — contacts with their links and
 * root causes, contact-id pointers, contact trace records, transcripts held for them, quarantine
 * records of their objects, the timeline version — and writes again every existing report that
 * showed them: the weeks of their contacts and the weeks whose trend includes those. Running it
 * twice is harmless (the second run finds nothing and rewrites nothing).
 *
 * Not removed: the input objects in the bucket (listed in the result; they expire with the
 * bucket's retention), and earlier versions of rewritten reports (noncurrent versions expire
 * after 30 days).
 */
export async function forgetCustomer(customerKeys: readonly string[], deps: ForgetDeps): Promise<ForgetResult> {
  const started = performance.now();
  const removed: RemovedItems = { contacts: 0, contactPointers: 0, contactTraceRecords: 0, pendingTranscripts: 0, quarantineRecords: 0, timelineVersions: 0 };
  const contacts: ContactRecord[] = [];
  for (const customerKey of new Set(customerKeys)) {
    const under = await deps.contacts.removeCustomer(customerKey);
    for (const kind of Object.keys(removed) as (keyof RemovedItems)[]) removed[kind] += under.removed[kind];
    contacts.push(...under.contacts);
  }
  const items = Object.values(removed).reduce((sum, n) => sum + n, 0);

  const affected = new Set(contacts.map((c) => c.week));
  const candidates = new Set([...affected].flatMap((week) => Array.from({ length: TREND_WEEKS }, (_, i) => shiftWeek(week, i))));
  const reports: string[] = [];
  for (const week of [...candidates].sort()) {
    // A week never reported has nothing to scrub; the schedule will report it without them.
    if ((await deps.objects.size(reportKey(week, "report.json"))) === undefined) continue;
    await buildWeeklyReport(week, deps);
    reports.push(week);
  }

  deps.metrics?.count("customersForgotten");
  deps.metrics?.count("itemsForgotten", items);
  deps.log.log("info", "customer forgotten", {
    step: "forget",
    // Enough to match an erasure request's receipt; the log keeps no full key of a forgotten customer.
    customerKeyPrefix: customerKeys[0]?.slice(0, 12),
    items,
    contacts: removed.contacts,
    reports: reports.length,
    durationMs: Math.round(performance.now() - started),
  });
  const sourceObjects = [...new Set(contacts.map((c) => c.sourceKey))].sort();
  return { customerKeys: [...new Set(customerKeys)], items, removed, reports, sourceObjects };
}
