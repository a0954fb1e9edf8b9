import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { objectsCreated } from "../../lib/adapters/s3-events.ts";
import { runtimeFromEnv, type Runtime } from "../../lib/adapters/runtime.ts";
import { describeError, RecontactError } from "../../lib/errors.ts";
import { ingestObject, type IngestOutcome } from "../../lib/use-cases/ingest-object.ts";

/**
 * S3 object-created events, through SQS → ingest each object. Bad input is quarantined by the
 * use case; a fault that a retry can fix fails only its own message (partial batch response),
 * so the queue redelivers it and finally moves it to the dead-letter queue.
 */
export function createIngestHandler(runtime: Runtime, onOutcome?: (key: string, outcome: IngestOutcome) => void) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    // The models live now: a promoted model is picked up here, within the registry TTL.
    const deps = { ...runtime, ...(await runtime.liveModels.current()) };
    for (const message of event.Records) {
      try {
        for (const object of objectsCreated(message.body)) {
          const outcome = await ingestObject(object.key, deps);
          onOutcome?.(object.key, outcome);
        }
      } catch (error) {
        const retryable = !(error instanceof RecontactError) || error.retryable;
        runtime.log.log("error", "ingest failed", {
          step: "ingest",
          messageId: message.messageId,
          code: error instanceof RecontactError ? error.code : "UNEXPECTED",
          retryable,
          error: describeError(error),
        });
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures };
  };
}

// Lambda entry: the runtime (clients, secret, model) is built once per container, at init.
const runtime = process.env.AWS_LAMBDA_FUNCTION_NAME ? runtimeFromEnv(process.env) : undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> =>
  createIngestHandler(await (runtime ?? runtimeFromEnv(process.env)))(event);
