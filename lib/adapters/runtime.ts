import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Classifier } from "../classify/classifier.ts";
import { LinearModel } from "../classify/linear-model.ts";
import { readModelArtifact } from "../classify/model-artifact.ts";
import { LiveModels, type ModelSet } from "../review/live-models.ts";
import { ModelRegistry, ShippedModels } from "../review/model-registry.ts";
import { parseConfig, type Config } from "../config.ts";
import { ConfigurationError, issuePath } from "../errors.ts";
import { jsonLogger, type Logger } from "../log.ts";
import { emfMetrics, silentMetrics, type Metrics } from "../metrics.ts";
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
  /** Business metrics (EMF in Lambda's log; silent elsewhere unless given). */
  metrics: Metrics;
  clock: () => Date;
}

/** Paths that turn a raw customer identifier into its key (ingest, forget) also hold the secret. */
export interface HashingRuntime extends BaseRuntime {
  hashSecret: string;
  /**
   * The secret before the last rotation, while its grace period runs (`windowDays` and a day
   * from the rotation): arrivals re-key what is stored under it (use-cases/rekey-customer.ts).
   */
  previousHashSecret?: string;
}

/**
 * The ingest path also hashes customer ids, classifies reasons and attributes root causes. The
 * models here are the ones live when the runtime was built; `liveModels.current()` gives the ones
 * live now (SPEC 8: a promotion reaches running functions within the TTL).
 */
export interface Runtime extends HashingRuntime, ModelSet {
  liveModels: LiveModels;
}

const EnvSchema = z.object({
  RECONTACT_BUCKET: z.string().min(3),
  RECONTACT_TABLE: z.string().min(3),
  RECONTACT_CONFIG: z.string().optional(),
  RECONTACT_HASH_SECRET: z.string().min(16).optional(),
  /** Local runs: the secret before a rotation, as AWSPREVIOUS is in Secrets Manager. */
  RECONTACT_PREVIOUS_HASH_SECRET: z.string().min(16).optional(),
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
  AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
});
export type RuntimeEnv = z.input<typeof EnvSchema>;

/** A promoted model reaches running ingest functions within this many seconds. */
export const DEFAULT_MODEL_TTL_SECONDS = 60;

/** The shipped models: next to the code in a Lambda bundle (RECONTACT_MODELS_DIR), else the repo's. */
export const REPO_MODELS_DIR = fileURLToPath(new URL("../../models/", import.meta.url));

export interface RuntimeOverrides {
  log?: Logger;
  metrics?: Metrics;
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
  const [secrets, models] = await Promise.all([resolveHashSecrets(env, clients.secrets, base), liveModels.current()]);
  return { ...base, ...secrets, ...models, liveModels };
}

export async function hashingRuntimeFromEnv(rawEnv: Record<string, string | undefined>, overrides: RuntimeOverrides = {}): Promise<HashingRuntime> {
  const { base, env, clients } = baseFromEnv(rawEnv, overrides);
  return { ...base, ...(await resolveHashSecrets(env, clients.secrets, base)) };
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
    // In Lambda, stdout is the function's log group, where CloudWatch reads EMF documents.
    metrics:
      overrides.metrics ??
      (env.AWS_LAMBDA_FUNCTION_NAME ? emfMetrics((line) => process.stdout.write(`${line}\n`), env.AWS_LAMBDA_FUNCTION_NAME) : silentMetrics),
    clock: overrides.clock ?? (() => new Date()),
  };
  return { base, env, clients };
}

export async function loadClassifier(path: string): Promise<Classifier> {
  return new LinearModel(await readModelArtifact(path));
}

/**
 * The current hashing secret (AWSCURRENT), and the previous one (AWSPREVIOUS) when the current
 * version is younger than the grace period: rotation re-keys customers as they come back.
 */
async function resolveHashSecrets(
  env: z.infer<typeof EnvSchema>,
  secrets: ReturnType<typeof createAwsClients>["secrets"],
  base: Pick<BaseRuntime, "config" | "clock">,
): Promise<Pick<HashingRuntime, "hashSecret" | "previousHashSecret">> {
  if (env.RECONTACT_HASH_SECRET) {
    return { hashSecret: env.RECONTACT_HASH_SECRET, ...(env.RECONTACT_PREVIOUS_HASH_SECRET ? { previousHashSecret: env.RECONTACT_PREVIOUS_HASH_SECRET } : {}) };
  }
  if (!env.RECONTACT_HASH_SECRET_ARN) {
    throw new ConfigurationError("MISSING_SECRET", "set RECONTACT_HASH_SECRET_ARN (AWS) or RECONTACT_HASH_SECRET (local) for customer-id hashing");
  }
  const [client, { GetSecretValueCommand, ResourceNotFoundException }] = await Promise.all([secrets(), import("@aws-sdk/client-secrets-manager")]);
  const current = await client.send(new GetSecretValueCommand({ SecretId: env.RECONTACT_HASH_SECRET_ARN }));
  const hashSecret = validSecret(current.SecretString);
  const graceMs = (base.config.windowDays + 1) * 86_400_000;
  if (!current.CreatedDate || base.clock().getTime() - current.CreatedDate.getTime() > graceMs) return { hashSecret };
  try {
    const previous = await client.send(new GetSecretValueCommand({ SecretId: env.RECONTACT_HASH_SECRET_ARN, VersionStage: "AWSPREVIOUS" }));
    return { hashSecret, previousHashSecret: validSecret(previous.SecretString) };
  } catch (error) {
    // The first version of the secret has no predecessor.
    if (error instanceof ResourceNotFoundException) return { hashSecret };
    throw error;
  }
}

function validSecret(value: string | undefined): string {
  if (!value || value.length < 16) {
    throw new ConfigurationError("MISSING_SECRET", "the customer-id hashing secret is empty or shorter than 16 characters");
  }
  return value;
}
