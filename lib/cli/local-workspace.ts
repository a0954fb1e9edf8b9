import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startEmbeddedServices } from "../adapters/local/embedded-services.ts";
import { FileObjectStore, RoutedObjectStore } from "../adapters/local/file-object-store.ts";
import { JsonlLabelStore } from "../adapters/local/jsonl-label-store.ts";
import { ObjectStoreLabelStore } from "../adapters/object-store-labels.ts";
import { baseFromEnv, DEFAULT_MODEL_TTL_SECONDS, modelRegistry } from "../adapters/runtime.ts";
import type { Config } from "../config.ts";
import { QuarantineRecordSchema, type QuarantineRecord } from "../contact/contact-record.ts";
import type { Logger } from "../log.ts";
import { LiveModels } from "../review/live-models.ts";
import type { ReviewStores } from "../review/review-service.ts";
import { writeOutputs } from "./run-pipeline.ts";
import { readStoreSnapshot, writeStoreSnapshot } from "./store-snapshot.ts";

/** What review, retrain and the model commands work on: the stores, locally or in AWS. */
export interface Workspace extends ReviewStores {
  /** Where things are, for people. */
  describe: { labels: string; registry: string; reports: string };
  /** Writes what changed back where people look (locally: contacts.jsonl, the store snapshot). */
  persist(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A `recontact run` output folder as the stores review needs (SPEC 8, "locally a file"): the run's
 * contact snapshot loaded into an embedded DynamoDB (so relinking is the code AWS runs), the input
 * folder as the bucket's `transcripts/`, and the output folder for everything else — reports are
 * written again to `<out>/reports/<week>/`, labels to `<out>/labels/<task>.jsonl`, and the model
 * registry is `<out>/models/`.
 */
export async function openLocalWorkspace(outDir: string, options: { log: Logger; clock?: () => Date; config?: Config }): Promise<Workspace> {
  const { meta, contacts: records } = await readStoreSnapshot(outDir);
  const quarantined = await readQuarantine(outDir);
  const services = await startEmbeddedServices();
  try {
    const { base } = baseFromEnv(
      {
        RECONTACT_BUCKET: services.bucket,
        RECONTACT_TABLE: services.table,
        RECONTACT_S3_ENDPOINT: services.s3Endpoint,
        RECONTACT_DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
        RECONTACT_CONFIG: JSON.stringify(options.config ?? meta.config),
      },
      { log: options.log, ...(options.clock ? { clock: options.clock } : {}) },
    );
    // The stored links are kept as they are: loading is not ingesting.
    for (const record of records) await base.contacts.putContact(record, null);
    for (const record of quarantined) if (record.week) await base.contacts.putQuarantine(record);
    const registry = modelRegistry({ RECONTACT_LOCAL_REGISTRY: outDir }, base);
    const objects = new RoutedObjectStore([new FileObjectStore(meta.inputDir, "transcripts/"), new FileObjectStore(outDir)]);
    const labels = new JsonlLabelStore(join(outDir, "labels"));
    return {
      ...base,
      objects,
      labels,
      registry,
      liveModels: new LiveModels(registry, { ttlMs: 0, clock: base.clock, log: base.log }),
      describe: { labels: labels.dir, registry: join(outDir, "models"), reports: join(outDir, "reports") },
      async persist() {
        const contacts = (await Promise.all((await base.contacts.weeks()).map((w) => base.contacts.contactsOfWeek(w)))).flat();
        await writeOutputs(outDir, contacts, quarantined);
        await writeStoreSnapshot(outDir, { inputDir: meta.inputDir, config: base.config, contacts, now: base.clock() });
      },
      stop: () => services.stop(),
    };
  } catch (error) {
    await services.stop();
    throw error;
  }
}

/**
 * The deployed stores, from the same environment the functions read (RECONTACT_BUCKET,
 * RECONTACT_TABLE, AWS credentials; RECONTACT_S3_ENDPOINT / RECONTACT_DYNAMODB_ENDPOINT point it
 * at local servers): labels under `labels/`, the registry under `models/`, reports under `reports/`.
 */
export function openAwsWorkspace(env: Record<string, string | undefined>, options: { log: Logger; clock?: () => Date }): Workspace {
  const { base } = baseFromEnv(env, { log: options.log, ...(options.clock ? { clock: options.clock } : {}) });
  const registry = modelRegistry({ RECONTACT_MODELS_DIR: env.RECONTACT_MODELS_DIR }, base);
  return {
    ...base,
    labels: new ObjectStoreLabelStore(base.objects),
    registry,
    liveModels: new LiveModels(registry, { ttlMs: Number(env.RECONTACT_MODEL_TTL_SECONDS ?? DEFAULT_MODEL_TTL_SECONDS) * 1000, clock: base.clock, log: base.log }),
    describe: { labels: `s3://${env.RECONTACT_BUCKET}/labels/`, registry: `s3://${env.RECONTACT_BUCKET}/models/`, reports: `s3://${env.RECONTACT_BUCKET}/reports/` },
    persist: async () => {},
    stop: async () => {},
  };
}

/** Labels and the registry of a local output folder, without starting anything (retrain, models). */
export function localModelWorkspace(outDir: string, options: { log: Logger; clock?: () => Date }): Pick<Workspace, "labels" | "registry" | "log" | "clock" | "describe"> {
  const objects = new FileObjectStore(outDir);
  const registry = modelRegistry({ RECONTACT_LOCAL_REGISTRY: outDir }, { objects });
  return {
    labels: new JsonlLabelStore(join(outDir, "labels")),
    registry,
    log: options.log,
    clock: options.clock ?? (() => new Date()),
    describe: { labels: join(outDir, "labels"), registry: join(outDir, "models"), reports: join(outDir, "reports") },
  };
}

async function readQuarantine(outDir: string): Promise<QuarantineRecord[]> {
  let text: string;
  try {
    text = await readFile(join(outDir, "quarantine.jsonl"), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => QuarantineRecordSchema.parse(JSON.parse(l)));
}

