import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashingRuntimeFromEnv } from "../../lib/adapters/runtime.ts";
import { silentLogger } from "../../lib/log.ts";

/**
 * Which hashing secrets a function loads from Secrets Manager (there is no local Secrets Manager
 * server, so its answers are stubbed at the client): the current version always, the previous
 * one only while the current is younger than the grace period (windowDays + 1 day).
 */
const NOW = new Date("2026-12-01T00:00:00.000Z");
const ENV = { RECONTACT_BUCKET: "bucket", RECONTACT_TABLE: "table", RECONTACT_HASH_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hash", AWS_REGION: "eu-west-1" };
const CURRENT = "current-secret-0123456789abcdef";
const PREVIOUS = "previous-secret-0123456789abcdef";

function secretsManager(rotatedDaysAgo: number, previous: "exists" | "missing" = "exists") {
  return vi.spyOn(SecretsManagerClient.prototype, "send").mockImplementation(async (command: unknown) => {
    const { VersionStage } = (command as GetSecretValueCommand).input;
    if (VersionStage === "AWSPREVIOUS") {
      if (previous === "missing") throw new ResourceNotFoundException({ message: "no AWSPREVIOUS", $metadata: {} });
      return { SecretString: PREVIOUS };
    }
    return { SecretString: CURRENT, CreatedDate: new Date(NOW.getTime() - rotatedDaysAgo * 86_400_000) };
  });
}

const load = (config: Record<string, unknown> = {}) =>
  hashingRuntimeFromEnv({ ...ENV, RECONTACT_CONFIG: JSON.stringify(config) }, { log: silentLogger, clock: () => NOW });

describe("hashing secrets from Secrets Manager", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("loads the previous secret too while the rotation is younger than windowDays + 1 day", async () => {
    const send = secretsManager(3);
    expect(await load()).toMatchObject({ hashSecret: CURRENT, previousHashSecret: PREVIOUS });
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("loads only the current secret once the grace period is over", async () => {
    const send = secretsManager(9);
    const runtime = await load();
    expect(runtime.hashSecret).toBe(CURRENT);
    expect(runtime.previousHashSecret).toBeUndefined();
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("follows the configured window: 14 days keeps the previous secret on day 9", async () => {
    secretsManager(9);
    expect((await load({ windowDays: 14 })).previousHashSecret).toBe(PREVIOUS);
  });

  it("has no previous secret before the first rotation", async () => {
    secretsManager(1, "missing");
    const runtime = await load();
    expect(runtime.hashSecret).toBe(CURRENT);
    expect(runtime.previousHashSecret).toBeUndefined();
  });
});
