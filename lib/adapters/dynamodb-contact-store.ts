import { createHash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type QueryCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import {
  ContactRecordSchema,
  PendingTranscriptSchema,
  QuarantineRecordSchema,
  StoredCtrSchema,
  type ContactRecord,
  type PendingTranscript,
  type QuarantineRecord,
  type StoredCtr,
} from "../contact/contact-record.ts";
import type { ContactLocation, ContactStore, LinkUpdate, ObjectVersion, RemovedItems, Timeline } from "../ports/contact-store.ts";

/**
 * One table, keys by access pattern (README, "Table design"):
 *   customer timeline   pk CUST#<customerKey>      sk CONTACT#<startedAt>#<contactId>
 *   timeline version    pk CUST#<customerKey>      sk ~TIMELINE            (optimistic concurrency)
 *   contact id lookup   pk CONTACTID#<contactId>   sk CONTACTID            (dedupe, moved contacts)
 *   quarantine          pk QUARANTINE#<objectKey>  sk QUARANTINE
 *   contact trace rec.  pk CTR#<contactId>         sk CTR                  (latest LastUpdateTimestamp)
 *   held transcript     pk PENDING#<contactId>     sk <objectKey>          (waiting for its CTR)
 *   weeks with data     pk WEEKS                   sk <YYYY-Www>
 *   ingested object     pk INGESTED#<sha256(bucket/key)>  sk <version>     (idempotency of S3 events)
 *   index byWeek        gsi1pk WEEK#<YYYY-Www>     gsi1sk CONTACT#… | QUARANTINE#<sha256(key)> | PENDING#<contactId>#<sha256(key)>
 *                       gsi1pk CUSTOMER#<customerKey>  gsi1sk CTR#<contactId>   (a customer's CTRs, for forgetting)
 */
export const BY_WEEK_INDEX = "byWeek";
const KEY_ATTRIBUTES = ["pk", "sk", "gsi1pk", "gsi1sk", "type", "expiresAt"] as const;
const TIMELINE_SK = "~TIMELINE";

const customerPk = (customerKey: string) => `CUST#${customerKey}`;
const contactSk = (startedAt: string, contactId: string) => `CONTACT#${startedAt}#${contactId}`;
const contactIdPk = (contactId: string) => `CONTACTID#${contactId}`;
const customerIndexPk = (customerKey: string) => `CUSTOMER#${customerKey}`;
/** Ingest markers only need to outlive redeliveries: the queue keeps a message 4 days, its DLQ 14. */
export const INGEST_MARKER_DAYS = 21;

export class DynamoDbContactStore implements ContactStore {
  /**
   * @param retentionDays when set, contact, pointer and quarantine items carry `expiresAt`
   *   (epoch seconds) that many days after the contact started, for DynamoDB's TTL.
   */
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays?: number,
  ) {}

  private expiresAt(from: string): { expiresAt?: number } {
    return this.retentionDays ? { expiresAt: Math.floor(Date.parse(from) / 1000) + this.retentionDays * 86_400 } : {};
  }

  async getContact(contactId: string): Promise<ContactRecord | undefined> {
    const at = await this.location(contactId);
    if (!at) return undefined;
    const { customerKey, startedAt } = at;
    const item = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: customerPk(customerKey), sk: contactSk(startedAt, contactId) }, ConsistentRead: true }),
    );
    return item.Item ? toContactRecord(item.Item) : undefined;
  }

  /** Where a contact id is stored (its customer and start), from its pointer item. */
  private async location(contactId: string): Promise<ContactLocation | undefined> {
    const pointer = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: contactIdPk(contactId), sk: "CONTACTID" }, ConsistentRead: true }),
    );
    return pointer.Item ? { customerKey: String(pointer.Item.customerKey), startedAt: String(pointer.Item.startedAt) } : undefined;
  }

  /**
   * Crash-safe move: the pointer is written first and remembers every place the contact was
   * (`movedFrom`) until `settleMoves` says their timelines were relinked. Whatever write an
   * interrupted attempt got to, the redelivery finds the old places on the pointer, deletes the
   * copies left there and returns them for relinking.
   */
  async putContact(record: ContactRecord, previous?: ContactLocation | null): Promise<ContactLocation[]> {
    const before = previous === undefined ? await this.location(record.contactId) : (previous ?? undefined);
    const here = { customerKey: record.customerKey, startedAt: record.startedAt };
    const moved = before !== undefined && !sameLocation(before, here);
    const expiresAt = this.expiresAt(record.startedAt).expiresAt;
    const pointer = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: contactIdPk(record.contactId), sk: "CONTACTID" },
        UpdateExpression: [
          "SET customerKey = :customerKey, startedAt = :startedAt",
          ...(expiresAt !== undefined ? ["expiresAt = :expiresAt"] : []),
          ...(moved ? ["movedFrom = list_append(if_not_exists(movedFrom, :none), :before)"] : []),
        ].join(", "),
        ExpressionAttributeValues: {
          ":customerKey": here.customerKey,
          ":startedAt": here.startedAt,
          ...(expiresAt !== undefined ? { ":expiresAt": expiresAt } : {}),
          ...(moved ? { ":none": [], ":before": [{ customerKey: before.customerKey, startedAt: before.startedAt }] } : {}),
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    const sk = contactSk(record.startedAt, record.contactId);
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...record, pk: customerPk(record.customerKey), sk, gsi1pk: `WEEK#${record.week}`, gsi1sk: sk, type: "contact", ...this.expiresAt(record.startedAt) },
      }),
    );
    // A contact that moved (an updated start time or customer) leaves no stale copy behind.
    const displaced = uniqueLocations(((pointer.Attributes?.movedFrom ?? []) as ContactLocation[]).filter((at) => !sameLocation(at, here)));
    for (const at of displaced) {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: customerPk(at.customerKey), sk: contactSk(at.startedAt, record.contactId) } }));
    }
    await this.markWeek(record.week);
    return displaced;
  }

  async settleMoves(contactId: string, relinked: readonly ContactLocation[]): Promise<void> {
    if (relinked.length === 0) return;
    const pointer = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: contactIdPk(contactId), sk: "CONTACTID" }, ConsistentRead: true }));
    if (!pointer.Item) return;
    const movedFrom = (pointer.Item.movedFrom ?? []) as ContactLocation[];
    const here = { customerKey: String(pointer.Item.customerKey), startedAt: String(pointer.Item.startedAt) };
    // Only if no other delivery added a place meanwhile: that one settles its own.
    const settled = (at: ContactLocation) => sameLocation(at, here) || relinked.some((done) => sameLocation(at, done));
    if (movedFrom.length === 0 || !movedFrom.every(settled)) return;
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: contactIdPk(contactId), sk: "CONTACTID" },
          UpdateExpression: "REMOVE movedFrom",
          ConditionExpression: "size(movedFrom) = :n",
          ExpressionAttributeValues: { ":n": movedFrom.length },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  async readTimeline(customerKey: string, from?: string): Promise<Timeline> {
    // "~TIMELINE" sorts after every "CONTACT#…" key, so one query returns the range and the version.
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: from ? "pk = :pk AND sk >= :from" : "pk = :pk",
      ExpressionAttributeValues: { ":pk": customerPk(customerKey), ...(from ? { ":from": `CONTACT#${from}` } : {}) },
      ConsistentRead: true,
    });
    let version = 0;
    const records: ContactRecord[] = [];
    for (const item of items) {
      if (item.sk === TIMELINE_SK) version = Number(item.version ?? 0);
      else if (String(item.sk).startsWith("CONTACT#")) records.push(toContactRecord(item));
    }
    return { customerKey, version, records };
  }

  async writeLinks(customerKey: string, updates: readonly LinkUpdate[]): Promise<void> {
    for (const { contactId, startedAt, ...fields } of updates) {
      const set: string[] = [];
      const remove: string[] = [];
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      for (const name of ["role", "repeatOf", "chainId", "repeatedBy", "rootCause", "rootCauseConfidence", "rootCauseEvidence", "failedAgents"] as const) {
        if (!(name in fields)) continue;
        names[`#${name}`] = name;
        const value = fields[name];
        if (value === undefined) remove.push(`#${name}`);
        else {
          set.push(`#${name} = :${name}`);
          values[`:${name}`] = value;
        }
      }
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: customerPk(customerKey), sk: contactSk(startedAt, contactId) },
          UpdateExpression: [set.length ? `SET ${set.join(", ")}` : "", remove.length ? `REMOVE ${remove.join(", ")}` : ""].join(" ").trim(),
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          // Never resurrect a contact that moved or was forgotten meanwhile.
          ConditionExpression: "attribute_exists(pk)",
        }),
      ).catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    }
  }

  async advanceVersion(customerKey: string, expected: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: customerPk(customerKey), sk: TIMELINE_SK },
          UpdateExpression: "SET version = :next",
          ConditionExpression: expected === 0 ? "attribute_not_exists(version) OR version = :expected" : "version = :expected",
          ExpressionAttributeValues: { ":next": expected + 1, ":expected": expected },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async contactsOfWeek(week: string): Promise<ContactRecord[]> {
    const items = await this.queryWeek(week, "CONTACT#");
    return items.map(toContactRecord);
  }

  async *streamContactsOfWeek(week: string): AsyncIterable<ContactRecord> {
    for await (const page of this.pages(this.weekQuery(week, "CONTACT#"))) {
      for (const item of page) yield toContactRecord(item);
    }
  }

  async putQuarantine(record: QuarantineRecord): Promise<void> {
    const sk = `QUARANTINE#${keyDigest(record.objectKey)}`;
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...record, pk: `QUARANTINE#${record.objectKey}`, sk: "QUARANTINE", gsi1pk: `WEEK#${record.week}`, gsi1sk: sk, type: "quarantine", ...this.expiresAt(record.quarantinedAt) },
      }),
    );
  }

  async quarantineOfWeek(week: string): Promise<QuarantineRecord[]> {
    const items = await this.queryWeek(week, "QUARANTINE#");
    return items.map((item) => QuarantineRecordSchema.parse(stripKeys(item)));
  }

  async getCtr(contactId: string): Promise<StoredCtr | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `CTR#${contactId}`, sk: "CTR" }, ConsistentRead: true }));
    return out.Item ? StoredCtrSchema.parse(stripKeys(out.Item)) : undefined;
  }

  async putCtr(ctr: StoredCtr): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...ctr,
            pk: `CTR#${ctr.contactId}`,
            sk: "CTR",
            ...(ctr.customerKey ? { gsi1pk: customerIndexPk(ctr.customerKey), gsi1sk: `CTR#${ctr.contactId}` } : {}),
            ...this.expiresAt(ctr.startedAt),
          },
          // At-least-once delivery with updates: only a later version replaces the stored one.
          ConditionExpression: "attribute_not_exists(pk) OR lastUpdated < :updated",
          ExpressionAttributeValues: { ":updated": ctr.lastUpdated },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putPending(pending: PendingTranscript): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...pending, pk: `PENDING#${pending.contactId}`, sk: pending.objectKey, gsi1pk: `WEEK#${pending.week}`, gsi1sk: `PENDING#${pending.contactId}#${keyDigest(pending.objectKey)}`, ...this.expiresAt(pending.since) },
      }),
    );
  }

  async pendingFor(contactId: string): Promise<PendingTranscript[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `PENDING#${contactId}` },
      ConsistentRead: true,
    });
    return items.map((item) => PendingTranscriptSchema.parse(stripKeys(item)));
  }

  async deletePending(contactId: string, objectKey: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: `PENDING#${contactId}`, sk: objectKey } }));
  }

  async pendingOfWeek(week: string): Promise<PendingTranscript[]> {
    return (await this.queryWeek(week, "PENDING#")).map((item) => PendingTranscriptSchema.parse(stripKeys(item)));
  }

  /** Every week that holds at least one contact, ascending. */
  async weeks(): Promise<string[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": "WEEKS" },
    });
    return items.map((item) => String(item.sk)).sort();
  }

  async wasIngested(object: ObjectVersion): Promise<boolean> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: markerKey(object), ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async markIngested(object: ObjectVersion): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + INGEST_MARKER_DAYS * 86_400;
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...markerKey(object), expiresAt } }));
  }

  async rekeyContactTraceRecords(fromKey: string, toKey: string): Promise<number> {
    let moved = 0;
    for (const contactId of await this.ctrContactIdsOf(fromKey)) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: `CTR#${contactId}`, sk: "CTR" },
            UpdateExpression: "SET customerKey = :to, gsi1pk = :index",
            ConditionExpression: "customerKey = :from",
            ExpressionAttributeValues: { ":to": toKey, ":from": fromKey, ":index": customerIndexPk(toKey) },
          }),
        );
        moved++;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return moved;
  }

  /** The contact ids of the CTRs stored for a customer (index byWeek, partition CUSTOMER#<key>). */
  private async ctrContactIdsOf(customerKey: string): Promise<string[]> {
    const items = await this.queryAll({
      TableName: this.table,
      IndexName: BY_WEEK_INDEX,
      KeyConditionExpression: "gsi1pk = :customer",
      ExpressionAttributeValues: { ":customer": customerIndexPk(customerKey) },
    });
    return items.map((item) => String(item.contactId));
  }

  async removeCustomer(customerKey: string): Promise<{ removed: RemovedItems; contacts: ContactRecord[] }> {
    const removed: RemovedItems = { contacts: 0, contactPointers: 0, contactTraceRecords: 0, pendingTranscripts: 0, quarantineRecords: 0, timelineVersions: 0 };
    const { records } = await this.readTimeline(customerKey);
    const ctrContactIds = await this.ctrContactIdsOf(customerKey);
    const ofCustomer = { ":key": customerKey };
    for (const record of records) {
      if (await this.deleteItem({ pk: customerPk(customerKey), sk: contactSk(record.startedAt, record.contactId) })) removed.contacts++;
      // A pointer that has since moved to another customer is theirs now.
      if (await this.deleteItem({ pk: contactIdPk(record.contactId), sk: "CONTACTID" }, "customerKey = :key", ofCustomer)) removed.contactPointers++;
      if (await this.deleteItem({ pk: `QUARANTINE#${record.sourceKey}`, sk: "QUARANTINE" })) removed.quarantineRecords++;
    }
    for (const contactId of new Set([...records.map((r) => r.contactId), ...ctrContactIds])) {
      const ctrCondition = "attribute_not_exists(customerKey) OR customerKey = :key";
      if (await this.deleteItem({ pk: `CTR#${contactId}`, sk: "CTR" }, ctrCondition, ofCustomer)) removed.contactTraceRecords++;
      for (const pending of await this.pendingFor(contactId)) {
        if (await this.deleteItem({ pk: `PENDING#${contactId}`, sk: pending.objectKey })) removed.pendingTranscripts++;
      }
    }
    // Deleting the version also makes a relink running concurrently for this customer lose its
    // conditional advance, read again and find the contacts gone.
    if (await this.deleteItem({ pk: customerPk(customerKey), sk: TIMELINE_SK })) removed.timelineVersions++;
    return { removed, contacts: records };
  }

  /** Deletes one item; true when there was one (and the condition, if any, held). */
  private async deleteItem(key: Record<string, string>, condition?: string, values?: Record<string, unknown>): Promise<boolean> {
    try {
      const out = await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key,
          ReturnValues: "ALL_OLD",
          ...(condition ? { ConditionExpression: condition, ExpressionAttributeValues: values } : {}),
        }),
      );
      return out.Attributes !== undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async markWeek(week: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: "WEEKS", sk: week } }));
  }

  private queryWeek(week: string, prefix: string) {
    return this.queryAll(this.weekQuery(week, prefix));
  }

  private weekQuery(week: string, prefix: string): QueryCommandInput {
    return {
      TableName: this.table,
      IndexName: BY_WEEK_INDEX,
      KeyConditionExpression: "gsi1pk = :week AND begins_with(gsi1sk, :prefix)",
      ExpressionAttributeValues: { ":week": `WEEK#${week}`, ":prefix": prefix },
    };
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const page of this.pages(input)) items.push(...page);
    return items;
  }

  /**
   * The pages of a query (up to 1 MB each). The next page is requested before the current one is
   * handed out, so reading overlaps with whatever the consumer does with the page.
   */
  private async *pages(input: QueryCommandInput): AsyncIterable<Record<string, unknown>[]> {
    const request = (start?: Record<string, unknown>): Promise<QueryCommandOutput> =>
      this.db.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    let next: Promise<QueryCommandOutput> | undefined = request();
    try {
      while (next) {
        const page: QueryCommandOutput = await next;
        next = page.LastEvaluatedKey ? request(page.LastEvaluatedKey) : undefined;
        yield (page.Items ?? []) as Record<string, unknown>[];
      }
    } finally {
      // A consumer that stopped early leaves no request behind to fail unobserved.
      await next?.catch(() => undefined);
    }
  }
}

/** S3 keys may be 1,024 bytes: in an index sort key (1,024 bytes in all) they go as a digest. */
function keyDigest(objectKey: string): string {
  return createHash("sha256").update(objectKey).digest("hex");
}

function sameLocation(a: ContactLocation, b: ContactLocation): boolean {
  return a.customerKey === b.customerKey && a.startedAt === b.startedAt;
}

function uniqueLocations(locations: readonly ContactLocation[]): ContactLocation[] {
  return locations.filter((at, i) => locations.findIndex((other) => sameLocation(other, at)) === i);
}

function markerKey(object: ObjectVersion): { pk: string; sk: string } {
  return { pk: `INGESTED#${keyDigest(`${object.bucket}/${object.key}`)}`, sk: object.version };
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy;
}

function toContactRecord(item: Record<string, unknown>): ContactRecord {
  return ContactRecordSchema.parse(stripKeys(item));
}
