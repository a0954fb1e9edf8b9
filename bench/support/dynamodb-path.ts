import { join } from "node:path";
import { createAwsClients } from "../../lib/adapters/aws-clients.ts";
import { DynamoDbContactStore } from "../../lib/adapters/dynamodb-contact-store.ts";
import { startEmbeddedServices } from "../../lib/adapters/local/embedded-services.ts";
import { REPO_MODELS_DIR } from "../../lib/adapters/runtime.ts";
import type { Config } from "../../lib/config.ts";
import type { ContactRecord } from "../../lib/contact/contact-record.ts";
import type { ContactStore } from "../../lib/ports/contact-store.ts";
import { link } from "../../lib/linking/link.ts";
import { modelAttributor } from "../../lib/root-cause/chain-attributor.ts";
import { readRootCauseModel } from "../../lib/root-cause/chain-model.ts";
import { storeContact } from "../../lib/use-cases/store-contact.ts";
import { meterDynamoDb, type DynamoDbUsage } from "./dynamodb-meter.ts";

export interface DynamoDbPathResult {
  contacts: number;
  customers: number;
  seconds: number;
  usage: DynamoDbUsage;
  /** Contacts read by the relinks (the window around each contact). */
  itemsRead: number;
  /** Every stored link equals the in-memory reference link() over the same contacts. */
  linksEqual: boolean;
}

/**
 * Contacts, in the order given, through the DynamoDB path of ingestion (store + incremental
 * relink) on an embedded dynalite, `concurrency` at a time, with every request metered; then
 * every stored link checked against link() (outside the metered requests).
 */
export async function measureDynamoDbPath(
  records: readonly ContactRecord[],
  config: Config,
  options: {
    concurrency?: number;
    table?: string;
    onProgress?: (done: number) => void;
    /** Runs on the filled store before it stops, metered on its own (e.g. building the weekly reports). */
    afterwards?: (store: ContactStore) => Promise<void>;
  } = {},
): Promise<DynamoDbPathResult & { afterwards?: DynamoDbUsage }> {
  const attributeChain = modelAttributor(await readRootCauseModel(join(REPO_MODELS_DIR, "root-cause", "model.json")));
  const reference = link(records, config);
  const services = await startEmbeddedServices({ table: options.table ?? "bench", tableStorage: "disk" });
  try {
    const clients = createAwsClients({ dynamodbEndpoint: services.dynamodbEndpoint });
    const meter = meterDynamoDb(clients.dynamodb);
    const store = new DynamoDbContactStore(clients.dynamodb, services.table);
    let itemsRead = 0;
    const counting = new Proxy(store, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (property === "readTimeline") {
          return async (...args: [string, string?]) => {
            const timeline = await store.readTimeline(...args);
            itemsRead += timeline.records.length;
            return timeline;
          };
        }
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(object) : value;
      },
    }) as DynamoDbContactStore;

    const started = performance.now();
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: options.concurrency ?? 8 }, async () => {
        while (next < records.length) {
          await storeContact(records[next++]!, { contacts: counting, config, attributeChain });
          options.onProgress?.(++done);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const ingestUsage = { ...meter.usage };
    let afterwards: DynamoDbUsage | undefined;
    if (options.afterwards) {
      Object.assign(meter.usage, { reads: 0, writes: 0, readUnits: 0, writeUnits: 0 });
      await options.afterwards(store);
      afterwards = { ...meter.usage };
    }
    meter.pause(true);
    const customers = [...new Set(records.map((r) => r.customerKey))];
    let linksEqual = true;
    for (const customer of customers) {
      for (const s of (await store.readTimeline(customer)).records) {
        const e = reference.get(s.contactId)!;
        if (s.role !== e.role || s.repeatOf !== e.repeatOf || s.chainId !== e.chainId || s.repeatedBy !== e.repeatedBy) linksEqual = false;
      }
    }
    return { contacts: records.length, customers: customers.length, seconds, usage: ingestUsage, itemsRead, linksEqual, ...(afterwards ? { afterwards } : {}) };
  } finally {
    await services.stop();
  }
}
