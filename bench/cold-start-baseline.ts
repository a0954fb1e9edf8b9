/**
 * The cold-start baseline: a handler module that does only what any function of ours must, create
 * an S3 and a DynamoDB client at init, and whose first event makes one call to each. Bundled like
 * the real functions (bench/cold-start.ts); what a function costs above this is its own.
 * (It builds the clients itself instead of through lib/adapters/aws-clients.ts, which would also
 * load the Secrets Manager client and make the baseline heavier than the brief's.)
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";

const local = { credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } };
const s3 = new S3Client({
  region: process.env.AWS_REGION ?? "us-east-1",
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
  ...(process.env.RECONTACT_S3_ENDPOINT ? { endpoint: process.env.RECONTACT_S3_ENDPOINT, forcePathStyle: true, ...local } : {}),
});
const dynamodb = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: process.env.AWS_REGION ?? "us-east-1",
    ...(process.env.RECONTACT_DYNAMODB_ENDPOINT ? { endpoint: process.env.RECONTACT_DYNAMODB_ENDPOINT, ...local } : {}),
  }),
);

export const handler = async (): Promise<void> => {
  await Promise.all([
    dynamodb.send(new GetCommand({ TableName: process.env.RECONTACT_TABLE, Key: { pk: "baseline", sk: "baseline" } })),
    s3.send(new HeadObjectCommand({ Bucket: process.env.RECONTACT_BUCKET, Key: "baseline" })).catch(() => undefined),
  ]);
};
