import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface ClientOptions {
  region?: string;
  /** A local S3 endpoint (s3rver); unset in AWS. */
  s3Endpoint?: string;
  /** A local DynamoDB endpoint (dynalite); unset in AWS. */
  dynamodbEndpoint?: string;
  /**
   * How the S3 and DynamoDB clients retry. Unset, the SDK's standard strategy (3 attempts,
   * exponential backoff); the fault-injection tests shorten the backoff.
   */
  retryStrategy?: S3ClientConfig["retryStrategy"];
}

export interface AwsClients {
  s3: S3Client;
  dynamodb: DynamoDBDocumentClient;
  /**
   * Made on first use: only the functions that read the hashing secret load the Secrets Manager
   * client (a few hundred milliseconds of module loading the report function does not need).
   */
  secrets: () => Promise<SecretsManagerClient>;
}

const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/**
 * The one place AWS clients are made. The same code runs against AWS and the embedded local
 * servers: only the endpoints differ.
 */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  const region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
  const s3 = new S3Client({
    region,
    // s3rver stores streamed uploads corrupted with the SDK's default checksums (TOOLCHAIN.md);
    // real S3 accepts both, so "when required" is right for both.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
    ...(options.s3Endpoint ? { endpoint: options.s3Endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS } : {}),
  });
  const dynamodb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
      ...(options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  let secrets: Promise<SecretsManagerClient> | undefined;
  const secretsClient = () =>
    (secrets ??= import("@aws-sdk/client-secrets-manager").then(({ SecretsManagerClient }) => new SecretsManagerClient({ region })));
  return { s3, dynamodb, secrets: secretsClient };
}
