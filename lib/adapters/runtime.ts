import { fileURLToPath } from "node:url";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";
import type { Classifier } from "../classify/classifier.ts";
import { LinearModel } from "../classify/linear-model.ts";
import { readModelArtifact } from "../classify/model-artifact.ts";
import { LiveModels, type ModelSet } from "../review/live-models.ts";
import { ModelRegistry, ShippedModels } from "../review/model-registry.ts";
import { parseConfig, type Config } from "../config.ts";
import { ConfigurationError, issuePath } from "../errors.ts";
import { jsonLogger, type Logger } from "../log.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { createAwsClients } from "./aws-clients.ts";
import { DynamoDbContactStore } from "./dynamodb-contact-store.ts";
import { FileObjectStore } from "./local/file-object-store.ts";
import { S3ObjectStore } from "./s3-object-store.ts";

/** What every handler needs, built once per container (or per local run) from the environment. */
export interface BaseRuntime {
  config: Config;
  objects: ObjectStore;
  contacts: ContactStore;
  log: Logger;
  clock: () => Date;
}

/**
 * The ingest path also hashes customer ids, classifies reasons and attributes root causes. The
 * models here are the ones live when the runtime was built; `liveModels.current()` gives the ones
 * live now (SPEC 8: a promotion reaches running functions within the TTL).
 */
export interface Runtime extends BaseRuntime, ModelSet {
  hashSecret: string;
  liveModels: LiveModels;
}

const EnvSchema = z.object({
  RECONTACT_BUCKET: z.string().min(3),
  RECONTACT_TABLE: z.string().min(3),
  RECONTACT_CONFIG: z.string().optional(),
  RECONTACT_HASH_SECRET: z.string().min(16).optional(),
  RECONTACT_HASH_SECRET_ARN: z.string().optional(),
  RECONTACT_MODELS_DIR: z.string().optional(),
  /** A folder laid out like the bucket (`<folder>/models/<task>/live.json`) holding the model registry; the bucket's `models/` otherwise. */
  RECONTACT_LOCAL_REGISTRY: z.string().optional(),
  /** Seconds a look at the registry's live pointer holds. */
  RECONTACT_MODEL_TTL_SECONDS: z.string().regex(/^\d+$/, "expected whole seconds").optional(),
  RECONTACT_S3_ENDPOINT: z.url().optional(),
  RECONTACT_DYNAMODB_ENDPOINT: z.url().optional(),
  RECONTACT_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  AWS_REGION: z.string().optional(),
});
export type RuntimeEnv = z.input<typeof EnvSchema>;

/** A promoted model reaches running ingest functions within this many seconds. */
export const DEFAULT_MODEL_TTL_SECONDS = 60;

/** The shipped models: next to the code in a Lambda bundle (RECONTACT_MODELS_DIR), else the repo's. */
export const REPO_MODELS_DIR = fileURLToPath(new URL("../../models/", import.meta.url));

export interface RuntimeOverrides {
  log?: Logger;
  clock?: () => Date;
  reasonClassifier?: Classifier;
}

export async function runtimeFromEnv(rawEnv: Record<string, string | undefined>, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const { base, env, clients } = baseFromEnv(rawEnv, overrides);
  const liveModels = new LiveModels(modelRegistry(env, base), {
    ttlMs: Number(env.RECONTACT_MODEL_TTL_SECONDS ?? DEFAULT_MODEL_TTL_SECONDS) * 1000,
    clock: base.clock,
    log: base.log,
    ...(overrides.reasonClassifier ? { fixedReason: overrides.reasonClassifier } : {}),
  });
  const [hashSecret, models] = await Promise.all([resolveHashSecret(env, clients.secrets), liveModels.current()]);
  return { ...base, hashSecret, ...models, liveModels };
}

/** The registry: the bucket's `models/` prefix, or a local folder; the bundle's models when it has no live pointer. */
export function modelRegistry(env: Pick<z.infer<typeof EnvSchema>, "RECONTACT_MODELS_DIR" | "RECONTACT_LOCAL_REGISTRY">, base: Pick<BaseRuntime, "objects">): ModelRegistry {
  const shipped = new ShippedModels(env.RECONTACT_MODELS_DIR ?? REPO_MODELS_DIR);
  return new ModelRegistry(env.RECONTACT_LOCAL_REGISTRY ? new FileObjectStore(env.RECONTACT_LOCAL_REGISTRY) : base.objects, shipped);
}

export function baseRuntimeFromEnv(rawEnv: Record<string, string | undefined>, overrides: RuntimeOverrides = {}): BaseRuntime {
  return baseFromEnv(rawEnv, overrides).base;
}

export function baseFromEnv(rawEnv: Record<string, string | undefined>, overrides: RuntimeOverrides) {
  const parsed = EnvSchema.safeParse(rawEnv);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError("INVALID_CONFIG", `environment ${issuePath(issue.path)}: ${issue.message}`);
  }
  const env = parsed.data;
  const config = parseConfig(env.RECONTACT_CONFIG ? JSON.parse(env.RECONTACT_CONFIG) : {}, "RECONTACT_CONFIG");
  const clients = createAwsClients({
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(env.RECONTACT_S3_ENDPOINT ? { s3Endpoint: env.RECONTACT_S3_ENDPOINT } : {}),
    ...(env.RECONTACT_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: env.RECONTACT_DYNAMODB_ENDPOINT } : {}),
  });
  const base: BaseRuntime = {
    config,
    objects: new S3ObjectStore(clients.s3, env.RECONTACT_BUCKET),
    contacts: new DynamoDbContactStore(clients.dynamodb, env.RECONTACT_TABLE, config.retentionDays),
    log: overrides.log ?? jsonLogger(undefined, env.RECONTACT_LOG_LEVEL),
    clock: overrides.clock ?? (() => new Date()),
  };
  return { base, env, clients };
}

export async function loadClassifier(path: string): Promise<Classifier> {
  return new LinearModel(await readModelArtifact(path));
}

async function resolveHashSecret(
  env: z.infer<typeof EnvSchema>,
  secrets: ReturnType<typeof createAwsClients>["secrets"],
): Promise<string> {
  if (env.RECONTACT_HASH_SECRET) return env.RECONTACT_HASH_SECRET;
  if (!env.RECONTACT_HASH_SECRET_ARN) {
    throw new ConfigurationError("MISSING_SECRET", "set RECONTACT_HASH_SECRET_ARN (AWS) or RECONTACT_HASH_SECRET (local) for customer-id hashing");
  }
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: env.RECONTACT_HASH_SECRET_ARN }));
  if (!out.SecretString || out.SecretString.length < 16) {
    throw new ConfigurationError("MISSING_SECRET", "the customer-id hashing secret is empty or shorter than 16 characters");
  }
  return out.SecretString;
}
