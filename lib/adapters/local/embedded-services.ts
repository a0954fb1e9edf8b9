import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { INGESTED_PREFIXES } from "../../ports/ingest-queue.ts";
import { encodeS3Key } from "../s3-events.ts";
import { closeDynaliteIterators } from "./dynalite-iterator-fix.ts";
import { tableDefinition } from "./table-definition.ts";

export interface EmbeddedServices {
  bucket: string;
  table: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
  /** Registers the receiver of the bucket's object-created notifications (real-S3-shaped JSON). */
  onObjectCreated(listener: (messageBody: string) => void): void;
  stop(): Promise<void>;
}

interface S3rverEvent {
  Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
}

/**
 * Starts s3rver and dynalite in this process on 127.0.0.1 with random free ports, creates the
 * bucket and the table, and forwards the bucket's notifications. `stop` closes both and deletes
 * the bucket's directory; it is safe to call twice.
 */
/** The prefixes whose object-created events reach the ingest queue (as in infra/data-stack.ts). */
export const NOTIFIED_PREFIXES = INGESTED_PREFIXES;

export interface EmbeddedServicesOptions {
  bucket?: string;
  table?: string;
  /**
   * Where dynalite keeps the table: "memory" (the default: fastest to start, for tests), or
   * "disk" (LevelDB in a temporary folder, removed by `stop`), so memory does not grow with
   * the number of contacts in a large run.
   */
  tableStorage?: "memory" | "disk";
}

export async function startEmbeddedServices(options: EmbeddedServicesOptions = {}): Promise<EmbeddedServices> {
  const bucket = options.bucket ?? "recontact-local";
  const table = options.table ?? "recontact-local";
  const directory = await mkdtemp(join(tmpdir(), "recontact-s3-"));
  const tableDirectory = options.tableStorage === "disk" ? await mkdtemp(join(tmpdir(), "recontact-dynamodb-")) : undefined;
  const listeners: ((body: string) => void)[] = [];

  const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const s3Address = (await s3.run()) as AddressInfo;
  s3.on("event", (event: S3rverEvent) => {
    // Like the bucket's notification configuration: only the input prefixes are notified.
    const records = event.Records.filter((r) => NOTIFIED_PREFIXES.some((p) => r.s3.object.key.startsWith(p)));
    if (records.length === 0) return;
    // s3rver sends raw keys; real S3 URL-encodes them. Make it real-shaped before anyone sees it.
    for (const record of records) record.s3.object.key = encodeS3Key(record.s3.object.key);
    const body = JSON.stringify({ ...event, Records: records });
    for (const listener of listeners) listener(body);
  });

  closeDynaliteIterators();
  const dynamo: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(tableDirectory ? { path: tableDirectory } : {}) });
  await new Promise<void>((resolve, reject) => dynamo.listen(0, "127.0.0.1", () => resolve()).once("error", reject));
  const dynamodbEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  const admin = new DynamoDBClient({ region: "us-east-1", endpoint: dynamodbEndpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  await admin.send(new CreateTableCommand(tableDefinition(table)));
  admin.destroy();

  let stopped = false;
  return {
    bucket,
    table,
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    dynamodbEndpoint,
    onObjectCreated: (listener) => void listeners.push(listener),
    async stop() {
      if (stopped) return;
      stopped = true;
      const http = (s3 as unknown as { httpServer: Server }).httpServer;
      http.closeAllConnections();
      dynamo.closeAllConnections();
      await Promise.all([s3.close(), new Promise<void>((resolve) => dynamo.close(() => resolve()))]);
      await rm(directory, { recursive: true, force: true });
      if (tableDirectory) await rm(tableDirectory, { recursive: true, force: true });
    },
  };
}
