import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { objectsCreated } from "../../lib/adapters/s3-events.ts";
import { runtimeFromEnv, type Runtime } from "../../lib/adapters/runtime.ts";
import { describeError, RecontactError } from "../../lib/errors.ts";
import { ingestCreatedObject, type IngestOutcome } from "../../lib/use-cases/ingest-object.ts";

/**
 * S3 object-created events, through SQS → ingest each object. Bad input is quarantined by the
 * use case; a fault that a retry can fix fails only its own message (partial batch response),
 * so the queue redelivers it and finally moves it to the dead-letter queue. A redelivered event
 * of an object version already ingested is acknowledged without work.
 */
export function createIngestHandler(runtime: Runtime, onOutcome?: (key: string, outcome: IngestOutcome) => void) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    try {
      // The models live now: a promoted model is picked up here, within the registry TTL.
      const deps = { ...runtime, ...(await runtime.liveModels.current()) };
      for (const message of event.Records) {
        try {
          for (const object of objectsCreated(message.body)) {
            const outcome = await ingestCreatedObject(object, deps);
            onOutcome?.(object.key, outcome);
          }
        } catch (error) {
          const retryable = !(error instanceof RecontactError) || error.retryable;
          runtime.log.log("error", "ingest failed", {
            step: "ingest",
            messageId: message.messageId,
            receiveCount: Number(message.attributes?.ApproximateReceiveCount ?? 0) || undefined,
            code: error instanceof RecontactError ? error.code : errorName(error),
            retryable,
            error: describeError(error),
          });
          batchItemFailures.push({ itemIdentifier: message.messageId });
        }
      }
    } finally {
      runtime.metrics.flush();
    }
    return { batchItemFailures };
  };
}

/** The SDK's error name (ThrottlingException, InternalError…) says more than "UNEXPECTED". */
function errorName(error: unknown): string {
  return error instanceof Error && error.name !== "Error" ? error.name : "UNEXPECTED";
}

// Lambda entry. The runtime — clients, hashing secret, both models — is built while the module
// initialises (top-level await), once per container: Lambda runs init with a full CPU before
// the first event, so the first event pays nothing for it.
const lambdaHandler = process.env.AWS_LAMBDA_FUNCTION_NAME ? createIngestHandler(await runtimeFromEnv(process.env)) : undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> =>
  (lambdaHandler ?? createIngestHandler(await runtimeFromEnv(process.env)))(event);
