import { parentPort, workerData } from "node:worker_threads";
import { createIngestHandler } from "../../../functions/ingest/handler.ts";
import { describeError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { IngestOutcome } from "../../use-cases/ingest-object.ts";
import { runtimeFromEnv } from "../runtime.ts";
import type { FromWorker, IngestWorkerData, ToWorker } from "./ingest-worker-pool.ts";

/**
 * One ingest worker: a runtime built from the function's environment, as in a Lambda container
 * (the same `runtimeFromEnv`: hashing secrets, and live models that follow the registry the
 * environment names — RECONTACT_LOCAL_REGISTRY or the bucket's `models/`), and the ingest handler
 * run for every event the pool sends. Logs go to the pool's logger.
 */
const port = parentPort!;
const data = workerData as IngestWorkerData;
const send = (message: FromWorker) => port.postMessage(message);
const log: Logger = { log: (level, message, fields = {}) => send({ type: "log", level, message, fields }) };

const runtime = await runtimeFromEnv(data.env, { log, clock: () => new Date(Date.now() + data.clockOffsetMs) });

port.on("message", (message: ToWorker) => {
  const { id } = message;
  if (message.type === "models") {
    runtime.liveModels.current().then(
      (models) => send({ type: "models", id, models: { reason: models.reasonClassifier.version, rootCause: models.rootCauseModel.version } }),
      (error: unknown) => send({ type: "failed", id, error: describeError(error) }),
    );
    return;
  }
  const outcomes: [string, IngestOutcome][] = [];
  createIngestHandler(runtime, (key, outcome) => outcomes.push([key, outcome]))(message.event).then(
    (response) => send({ type: "done", id, response, outcomes }),
    (error: unknown) => send({ type: "failed", id, error: describeError(error) }),
  );
});
send({ type: "ready" });
