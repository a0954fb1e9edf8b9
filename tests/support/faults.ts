import { Readable } from "node:stream";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createAwsClients, type AwsClients } from "../../lib/adapters/aws-clients.ts";
import { S3ObjectStore } from "../../lib/adapters/s3-object-store.ts";
import type { LocalStack } from "./local-stack.ts";

/**
 * Faults the local servers cannot produce, injected with SDK middleware. The middleware sits in
 * the deserialize step, inside the SDK's retry loop and inside the deserializer: an injected
 * throttle or server error is an HTTP response the SDK parses into its modelled error
 * (ProvisionedThroughputExceededException, SlowDown, InternalError…) and retries like a real one;
 * when it keeps failing, the error reaches our code as it would in AWS.
 */
export type Service = "s3" | "dynamodb";
export interface Call {
  service: Service;
  /** The wire operation, e.g. PutItem, Query, GetObject. */
  operation: string;
  write: boolean;
}
export type Fault = "throttle" | "server-error" | "crash-before" | "crash-after";
export type FaultPlan = (call: Call) => Fault | undefined;

/** Stands for the function's process dying: nothing after it in that invocation may run. */
export class SimulatedCrash extends Error {
  override readonly name = "SimulatedCrash";
}

const WRITE_OPERATIONS = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "PutObject", "PutObjectTagging", "DeleteObject", "DeleteObjects"]);

export interface FaultLog {
  injected: Record<Fault, number>;
  calls: number;
  writes: number;
}

/**
 * @param latency milliseconds to hold each call before it goes out (interleaves concurrent workers)
 */
export function injectFaults(clients: Pick<AwsClients, "s3" | "dynamodb">, plan: FaultPlan, latency?: () => number): FaultLog {
  const log: FaultLog = { injected: { throttle: 0, "server-error": 0, "crash-before": 0, "crash-after": 0 }, calls: 0, writes: 0 };
  const add = (service: Service, stack: { add: (middleware: never, options: object) => void }) =>
    stack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { request?: { method?: string } }) => {
        const operation = (context.commandName ?? "").replace(/Command$/, "");
        const call = { service, operation, write: WRITE_OPERATIONS.has(operation) };
        log.calls++;
        if (call.write) log.writes++;
        const delay = latency?.() ?? 0;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        const fault = plan(call);
        if (fault) log.injected[fault]++;
        if (fault === "throttle" || fault === "server-error") {
          return { response: errorResponse(service, fault, args.request?.method === "HEAD") };
        }
        if (fault === "crash-before") throw new SimulatedCrash(`crashed before ${service} ${operation}`);
        const result = await next(args);
        if (fault === "crash-after") throw new SimulatedCrash(`crashed after ${service} ${operation}`);
        return result;
      }) as never,
      { step: "deserialize", priority: "low", name: "recontactFaultInjection" },
    );
  add("s3", clients.s3.middlewareStack as never);
  add("dynamodb", clients.dynamodb.middlewareStack as never);
  return log;
}

/** What S3 and DynamoDB answer when they throttle or fail. */
function errorResponse(service: Service, fault: "throttle" | "server-error", head: boolean) {
  if (service === "dynamodb") {
    const [statusCode, type, message] =
      fault === "throttle"
        ? [400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded."]
        : [500, "com.amazon.coral.service#InternalServerError", "Internal server error"];
    return {
      statusCode,
      headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "fault-injection" },
      body: Readable.from([Buffer.from(JSON.stringify({ __type: type, message }))]),
    };
  }
  const [statusCode, code, message] = fault === "throttle" ? [503, "SlowDown", "Please reduce your request rate."] : [500, "InternalError", "We encountered an internal error. Please try again."];
  // S3 answers HEAD with the status code alone.
  const body = head ? "" : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-injection</RequestId></Error>`;
  return {
    statusCode,
    headers: { "content-type": "application/xml", "x-amz-request-id": "fault-injection" },
    body: Readable.from([Buffer.from(body)]),
  };
}

/**
 * Every table item and every object under quarantine/, in a stable order: the data a run leaves,
 * read with fresh clients (no faults). Bookkeeping that legitimately differs between a run with
 * faults and one without is left out: ingest markers (their sort key holds the upload's
 * sequencer) and the timeline version counter (one step per successful relink, and a redelivery
 * relinks again).
 */
export async function dataOf(stack: LocalStack): Promise<{ items: Record<string, unknown>[]; quarantine: string[] }> {
  const clients = createAwsClients({ s3Endpoint: stack.services.s3Endpoint, dynamodbEndpoint: stack.services.dynamodbEndpoint });
  try {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await clients.dynamodb.send(new ScanCommand({ TableName: stack.services.table, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    const kept = items
      .filter((item) => !String(item.pk).startsWith("INGESTED#"))
      .map((item) => (item.sk === "~TIMELINE" ? { pk: item.pk, sk: item.sk } : item))
      .sort((a, b) => `${String(a.pk)} ${String(a.sk)}`.localeCompare(`${String(b.pk)} ${String(b.sk)}`));
    const quarantine: string[] = [];
    for await (const object of new S3ObjectStore(clients.s3, stack.services.bucket).list("quarantine/")) quarantine.push(object.key);
    return { items: kept, quarantine: quarantine.sort() };
  } finally {
    clients.s3.destroy();
    clients.dynamodb.destroy();
  }
}
