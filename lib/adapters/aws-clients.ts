import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface ClientOptions {
  region?: string;
  /** A local S3 endpoint (s3rver); unset in AWS. */
  s3Endpoint?: string;
  /** A local DynamoDB endpoint (dynalite); unset in AWS. */
  dynamodbEndpoint?: string;
}

export interface AwsClients {
  s3: S3Client;
  dynamodb: DynamoDBDocumentClient;
  secrets: SecretsManagerClient;
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
    ...(options.s3Endpoint ? { endpoint: options.s3Endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS } : {}),
  });
  const dynamodb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      ...(options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const secrets = new SecretsManagerClient({ region });
  return { s3, dynamodb, secrets };
}

/**
 * The SQS client of the backfill command (the functions never send to SQS, so it is not part of
 * their clients, and esbuild leaves it out of their bundles).
 */
export function createSqsClient(options: { region?: string } = {}): SQSClient {
  return new SQSClient({ region: options.region ?? process.env.AWS_REGION ?? "us-east-1" });
}
