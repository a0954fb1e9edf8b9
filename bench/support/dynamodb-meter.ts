import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** DynamoDB requests and the capacity units they consumed (table and indexes), as billed on demand. */
export interface DynamoDbUsage {
  reads: number;
  writes: number;
  readUnits: number;
  writeUnits: number;
}

// The document client's commands reach the middleware under the low-level client's names.
const READS = new Set(["GetItemCommand", "QueryCommand", "BatchGetItemCommand", "ScanCommand"]);
const METERED = new Set(["GetItemCommand", "QueryCommand", "PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "ScanCommand"]);

/**
 * Whether a write also writes the byWeek index (projection ALL): contact, quarantine and pending
 * items carry gsi1pk. dynalite reports table capacity only, so the index's share is added here,
 * as DynamoDB bills it: one more write of the same size.
 */
function writesIndex(input: { Item?: Record<string, unknown>; Key?: Record<string, unknown> }): boolean {
  if (input.Item) return input.Item.gsi1pk !== undefined;
  // Keys arrive marshalled ({ S: "…" }).
  const text = (value: unknown) => String((value as { S?: string } | undefined)?.S ?? "");
  const pk = text(input.Key?.pk);
  return text(input.Key?.sk).startsWith("CONTACT#") || pk.startsWith("QUARANTINE#") || pk.startsWith("PENDING#");
}

/**
 * Counts a client's requests and asks DynamoDB (dynalite answers it too) for the consumed
 * capacity of each: reads and writes per contact for the linking benchmark, read and write
 * request units per contact (index writes included) for the cost model.
 */
export function meterDynamoDb(client: DynamoDBDocumentClient): { usage: DynamoDbUsage; pause(paused: boolean): void } {
  const usage: DynamoDbUsage = { reads: 0, writes: 0, readUnits: 0, writeUnits: 0 };
  let paused = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "";
      if (METERED.has(command)) (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "INDEXES";
      const read = READS.has(command);
      let result;
      try {
        result = await next(args);
      } catch (error) {
        // A failed condition is a write DynamoDB still bills (one unit at least).
        if (!paused && (error as { name?: string }).name === "ConditionalCheckFailedException") {
          usage.writes++;
          usage.writeUnits++;
        }
        throw error;
      }
      if (paused) return result;
      if (read) usage.reads++;
      else usage.writes++;
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (read) usage.readUnits += units;
      else usage.writeUnits += units * (writesIndex(args.input as object) ? 2 : 1);
      return result;
    },
    { step: "initialize", name: "meterDynamoDb" },
  );
  return { usage, pause: (p) => void (paused = p) };
}
