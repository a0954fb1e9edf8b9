import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { build } from "esbuild";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTEXT, createRecontactApp, readSettings, type RecontactApp } from "../../infra/recontact-app.ts";
import { esbuildOptions, MAX_BUNDLE_BYTES } from "../../infra/bundle-settings.ts";
import {
  batchFitsTimeout,
  DESIGN_PEAK_CONTACTS_PER_SECOND,
  INGEST_BATCH_SIZE,
  INGEST_CAPACITY_PER_SECOND,
  INGEST_MAX_CONCURRENCY,
  INGEST_TIMEOUT,
  ingestConcurrencyFor,
  MEASURED_INGEST_MS,
  VISIBILITY_TIMEOUT_FACTOR,
} from "../../infra/sizing.ts";

/** The same context `cdk synth` uses (feature flags, defaults), plus the optional settings. */
const cdkJson = JSON.parse(readFileSync(new URL("../../cdk.json", import.meta.url), "utf8")) as {
  context: Record<string, unknown>;
};
const ALARM_EMAIL = "ops@example.com";
const PRODUCT_CONFIG = { windowDays: 7, defaultCountry: "NL" };

let outdir: string;
let built: RecontactApp;
let data: Template;
let pipeline: Template;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "recontact-cdk-"));
  built = createRecontactApp({
    outdir,
    // `cdk synth` also runs CDK's built-in CloudFormation template validation (about 10 s here,
    // and errors fail it: cdk.json sets validateAgainstDefaultRules). These tests assert the
    // resources and run cdk-nag; they leave template validation to the synth.
    builtinCloudFormationValidation: false,
    context: {
      ...cdkJson.context,
      [CONTEXT.alarmEmail]: ALARM_EMAIL,
      [CONTEXT.config]: PRODUCT_CONFIG,
    },
  });
  // One synthesis of the whole app (bundling both functions with esbuild); both templates come
  // from it. Synthesis also runs the cdk-nag plugin and would throw on an unacknowledged error.
  data = Template.fromStack(built.data);
  pipeline = Template.fromStack(built.pipeline);
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Where synthesis put a function's bundle. */
function assetDirOf(fn: NodejsFunction): string {
  const logicalId = Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnFunction);
  const code = pipeline.findResources("AWS::Lambda::Function")[logicalId]!.Properties.Code as { S3Key: string };
  return join(outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
}

function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(found, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0]!;
}

describe("data stack", () => {
  it("keeps every key customer-managed with rotation", () => {
    data.resourceCountIs("AWS::KMS::Key", 3);
    data.allResourcesProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  it("encrypts the data bucket with its KMS key, blocks public access and versions objects", () => {
    const bucketKey = logicalIdOf(data, "AWS::KMS::Key", { Description: Match.stringLikeRegexp("\\(S3\\)") });
    data.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: { "Fn::GetAtt": [bucketKey, "Arn"] } },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: "Enabled" },
    });
  });

  it("logs access to the data bucket in a separate, private log bucket", () => {
    const dataBucket = logicalIdOf(data, "AWS::S3::Bucket", { VersioningConfiguration: { Status: "Enabled" } });
    const logBucket = logicalIdOf(data, "AWS::S3::Bucket", { LifecycleConfiguration: { Rules: [Match.objectLike({ Id: "expire-access-logs" })] } });
    expect(logBucket).not.toBe(dataBucket);
    data.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      LoggingConfiguration: { DestinationBucketName: { Ref: logBucket }, LogFilePrefix: "data-bucket/" },
    });
    expect(Object.keys(data.findResources("AWS::S3::Bucket"))).toHaveLength(2);
    // Both buckets block all public access.
    for (const bucket of Object.values(data.findResources("AWS::S3::Bucket"))) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it("denies every request to either bucket that is not over TLS", () => {
    const buckets = Object.keys(data.findResources("AWS::S3::Bucket"));
    for (const bucket of buckets) {
      data.hasResourceProperties("AWS::S3::BucketPolicy", {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Action: "s3:*",
              Principal: { AWS: "*" },
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      });
    }
  });

  it("expires noncurrent versions after 30 days and ingested inputs after retentionDays", () => {
    data.hasResourceProperties("AWS::S3::Bucket", {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: "Enabled" }),
          ...["transcripts/", "analysis/", "Analysis/", "ctr/", "quarantine/"].map((prefix) =>
            Match.objectLike({ Prefix: prefix, ExpirationInDays: 365, Status: "Enabled" }),
          ),
        ]),
      },
    });
  });

  it("sends object-created events of transcripts/, analysis/ and ctr/ to the ingest queue", () => {
    const queue = logicalIdOf(data, "AWS::SQS::Queue", { VisibilityTimeout: Match.anyValue() });
    data.hasResourceProperties("Custom::S3BucketNotifications", {
      NotificationConfiguration: {
        QueueConfigurations: ["transcripts/", "analysis/", "Analysis/", "ctr/"].map((prefix) => ({
          Events: ["s3:ObjectCreated:*"],
          Filter: { Key: { FilterRules: [{ Name: "prefix", Value: prefix }] } },
          QueueArn: { "Fn::GetAtt": [queue, "Arn"] },
        })),
      },
    });
  });

  it("defines the contacts table: keys, byWeek GSI, on-demand, PITR, KMS, TTL, retained", () => {
    const tableKey = logicalIdOf(data, "AWS::KMS::Key", { Description: Match.stringLikeRegexp("\\(DynamoDB\\)") });
    data.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
          { AttributeName: "gsi1pk", AttributeType: "S" },
          { AttributeName: "gsi1sk", AttributeType: "S" },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: "byWeek",
            KeySchema: [
              { AttributeName: "gsi1pk", KeyType: "HASH" },
              { AttributeName: "gsi1sk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: { "Fn::GetAtt": [tableKey, "Arn"] } },
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      }),
    });
  });

  it("generates the hashing secret and encrypts it with its own key", () => {
    const secretKey = logicalIdOf(data, "AWS::KMS::Key", { Description: Match.stringLikeRegexp("\\(Secrets Manager\\)") });
    data.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
        KmsKeyId: { "Fn::GetAtt": [secretKey, "Arn"] },
      }),
    });
  });

  it("redrives the ingest queue to a 14-day dead-letter queue after 5 receives", () => {
    const dlq = logicalIdOf(data, "AWS::SQS::Queue", { MessageRetentionPeriod: 14 * 24 * 3600 });
    data.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlq, "Arn"] }, maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    data.allResourcesProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true });
    for (const queue of Object.keys(data.findResources("AWS::SQS::Queue"))) {
      data.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      });
    }
  });

  it("gives the ingest queue a visibility timeout of at least 6 × the ingest function's timeout", () => {
    const ingest = Object.values(pipeline.findResources("AWS::Lambda::Function", {
      Properties: { Environment: { Variables: Match.objectLike({ RECONTACT_MODELS_DIR: Match.anyValue() }) } },
    }));
    expect(ingest).toHaveLength(1);
    const functionTimeout = ingest[0]!.Properties.Timeout as number;
    expect(functionTimeout).toBe(INGEST_TIMEOUT.toSeconds());
    const [queue] = Object.values(data.findResources("AWS::SQS::Queue", { Properties: { RedrivePolicy: Match.anyValue() } }));
    expect(queue!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * functionTimeout);
    expect(queue!.Properties.VisibilityTimeout).toBe(360);
  });
});

describe("pipeline stack", () => {
  const sharedEnv = {
    RECONTACT_BUCKET: { "Fn::ImportValue": Match.stringLikeRegexp("^Recontact-Data:.*DataBucket") },
    RECONTACT_TABLE: { "Fn::ImportValue": Match.stringLikeRegexp("^Recontact-Data:.*ContactsTable") },
    RECONTACT_CONFIG: Match.serializedJson({ ...PRODUCT_CONFIG, timeZone: "Europe/Amsterdam" }),
    NODE_OPTIONS: "--enable-source-maps",
  };

  it("runs the ingest function on nodejs22.x/arm64 with its environment, 60 s and 1024 MB", () => {
    pipeline.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      Timeout: 60,
      MemorySize: 1024,
      Environment: {
        Variables: {
          ...sharedEnv,
          RECONTACT_HASH_SECRET_ARN: { "Fn::ImportValue": Match.stringLikeRegexp("^Recontact-Data:.*CustomerHashKey") },
          RECONTACT_MODELS_DIR: "/var/task/models",
        },
      },
    });
  });

  it("runs the report function on nodejs22.x/arm64 for up to 15 minutes with 1536 MB, without the secret", () => {
    pipeline.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      Timeout: 900,
      MemorySize: 1536,
      Environment: { Variables: sharedEnv },
    });
  });

  it("bundles ESM with a require() banner, a source map, and the reason model in the ingest bundle", () => {
    const assetDirs = Object.values(pipeline.findResources("AWS::Lambda::Function")).map((fn) => {
      const code = fn.Properties.Code as { S3Key: string };
      return join(outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
    });
    expect(assetDirs).toHaveLength(4);
    for (const dir of assetDirs) {
      const source = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(source.startsWith("import { createRequire as __recontactCreateRequire } from 'node:module';")).toBe(true);
      expect(existsSync(join(dir, "index.mjs.map"))).toBe(true);
    }
    for (const task of ["reason", "root-cause"]) {
      // Ingest classifies with it; retrain compares with it while no registry version is live.
      const withModel = assetDirs.filter((dir) => existsSync(join(dir, "models", task, "model.json")));
      expect(withModel, task).toHaveLength(2);
      // The JSON and the arrays file it names (lib/classify/model-file.ts), byte for byte.
      for (const file of ["model.json", "model.bin"]) {
        const shipped = readFileSync(new URL(`../../models/${task}/${file}`, import.meta.url));
        for (const dir of withModel) expect(readFileSync(join(dir, "models", task, file)).equals(shipped), `${dir} ${task}/${file}`).toBe(true);
      }
    }
  });

  it("polls the ingest queue in batches of 10 with a 5 s window, partial batch responses and the sized maximum concurrency", () => {
    pipeline.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::ImportValue": Match.stringLikeRegexp("IngestQueue") },
      BatchSize: INGEST_BATCH_SIZE,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: INGEST_MAX_CONCURRENCY },
    });
    // Bounded by the poller, not by a reservation taken from the account.
    const ingest = Object.values(pipeline.findResources("AWS::Lambda::Function", { Properties: Match.objectLike({ Timeout: INGEST_TIMEOUT.toSeconds() }) }));
    expect(ingest).toHaveLength(1);
    expect(ingest[0]!.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it("schedules the report Mondays 06:00 in the configured time zone, with its own role", () => {
    const role = logicalIdOf(pipeline, "AWS::IAM::Role", {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: "scheduler.amazonaws.com" } })],
      }),
    });
    const report = logicalIdOf(pipeline, "AWS::Lambda::Function", { Description: Match.stringLikeRegexp("weekly root-cause report"), Timeout: 900 });
    const deadLetters = logicalIdOf(pipeline, "AWS::SQS::Queue", {});
    pipeline.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(0 6 ? * MON *)",
      ScheduleExpressionTimezone: "Europe/Amsterdam",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: Match.objectLike({
        Arn: { "Fn::GetAtt": [report, "Arn"] },
        RoleArn: { "Fn::GetAtt": [role, "Arn"] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
        // Events it could not deliver are kept, and alarmed on (below).
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [deadLetters, "Arn"] } },
      }),
    });
    pipeline.hasResourceProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    // The scheduler's role may invoke the report function and send to its dead-letter queue, nothing else.
    pipeline.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: [
          { Action: "lambda:InvokeFunction", Effect: "Allow", Resource: { "Fn::GetAtt": [report, "Arn"] } },
          {
            Action: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
            Effect: "Allow",
            Resource: { "Fn::GetAtt": [deadLetters, "Arn"] },
          },
        ],
      },
    });
  });

  it("keeps function logs 90 days", () => {
    pipeline.resourceCountIs("AWS::Logs::LogGroup", 4);
    pipeline.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 90 });
  });

  it("scopes the report role to reports/ and read-only table access", () => {
    const role = logicalIdOf(pipeline, "AWS::IAM::Role", { Description: "recontact weekly report function" });
    const [policy] = Object.values(pipeline.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } }));
    const statements = JSON.stringify(policy!.Properties.PolicyDocument);
    expect(statements).toContain("/reports/*");
    expect(statements).not.toMatch(/secretsmanager|transcripts\/|quarantine\/|dynamodb:(Put|Update|Delete|BatchWrite)|kms:(Encrypt|ReEncrypt)/);
  });

  it("lets the ingest role write only under quarantine/ and read the hashing secret", () => {
    const role = logicalIdOf(pipeline, "AWS::IAM::Role", { Description: "recontact ingest function" });
    const [policy] = Object.values(pipeline.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } }));
    const statements = (policy!.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    const putObject = statements.filter((s) => [s.Action].flat().includes("s3:PutObject"));
    expect(putObject).toHaveLength(1);
    expect(JSON.stringify(putObject[0]!.Resource)).toContain("/quarantine/*");
    expect(JSON.stringify(statements)).toContain("secretsmanager:GetSecretValue");
  });

  it("runs the retrain function for up to 15 minutes with 2 GB, one at a time, with the shipped data in its bundle", () => {
    const retrain = logicalIdOf(pipeline, "AWS::Lambda::Function", { Description: Match.stringLikeRegexp("retrain"), Timeout: 900 });
    pipeline.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 900,
      MemorySize: 2048,
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: { ...sharedEnv, RECONTACT_TRAINING_ROOT: "/var/task" } },
    });
    const code = pipeline.findResources("AWS::Lambda::Function")[retrain]!.Properties.Code as { S3Key: string };
    const dir = join(outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
    for (const file of ["data/reasons/train.jsonl", "data/reasons-multilingual/en.test.jsonl", "data/root-causes/zh.jsonl", "models/reason/model.json", "models/reason/model.bin"]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
  });

  it("lets the retrain role read labels/ and models/ and write only models/, with no table or secret", () => {
    const role = logicalIdOf(pipeline, "AWS::IAM::Role", { Description: "recontact retrain function" });
    const [policy] = Object.values(pipeline.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } }));
    const statements = (policy!.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    const resources = (action: string) => JSON.stringify(statements.filter((s) => [s.Action].flat().includes(action)).map((s) => s.Resource));
    expect(resources("s3:PutObject")).toContain("/models/*");
    expect(resources("s3:PutObject")).not.toMatch(/labels|reports|transcripts|quarantine/);
    expect(resources("s3:GetObject")).toContain("/labels/*");
    expect(resources("s3:GetObject")).not.toMatch(/transcripts|analysis|ctr\//);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:|secretsmanager:/);
  });

  it("uses no AWS managed policies on its roles", () => {
    for (const role of Object.values(pipeline.findResources("AWS::IAM::Role"))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it("publishes alarms to a KMS-encrypted, TLS-only topic with the configured e-mail subscription", () => {
    const topic = logicalIdOf(pipeline, "AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    pipeline.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    pipeline.hasResourceProperties("AWS::SNS::Subscription", {
      TopicArn: { Ref: topic },
      Protocol: "email",
      Endpoint: ALARM_EMAIL,
    });
    pipeline.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"] }),
        ]),
      },
    });
  });

  it("alarms on function errors and throttles, DLQ depth > 0 and oldest message > 15 min", () => {
    const topic = logicalIdOf(pipeline, "AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    pipeline.resourceCountIs("AWS::CloudWatch::Alarm", 12);
    pipeline.allResourcesProperties("AWS::CloudWatch::Alarm", {
      AlarmActions: [{ Ref: topic }],
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    });
    const functions = Object.keys(pipeline.findResources("AWS::Lambda::Function"));
    for (const fn of functions) {
      for (const metric of ["Errors", "Throttles"]) {
        pipeline.hasResourceProperties("AWS::CloudWatch::Alarm", {
          Namespace: "AWS/Lambda",
          MetricName: metric,
          Dimensions: [{ Name: "FunctionName", Value: { Ref: fn } }],
          Threshold: 0,
        });
      }
    }
    pipeline.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::ImportValue": Match.stringLikeRegexp("IngestDeadLetterQueue") } }],
      Threshold: 0,
    });
    pipeline.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::ImportValue": Match.stringLikeRegexp("IngestQueue") } }],
      Threshold: 15 * 60,
    });
  });

  it("alarms when more than 10% of an hour's inputs (once there are 20) were quarantined, from the ingest EMF metrics", () => {
    const ingest = logicalIdOf(pipeline, "AWS::Lambda::Function", { Environment: { Variables: Match.objectLike({ RECONTACT_MODELS_DIR: Match.anyValue() }) } });
    const emf = (id: string, name: string) =>
      Match.objectLike({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: "Recontact", MetricName: name, Dimensions: [{ Name: "FunctionName", Value: { Ref: ingest } }] },
          Period: 3600,
          Stat: "Sum",
        },
      });
    pipeline.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmDescription: Match.stringLikeRegexp("quarantined"),
      Threshold: 10,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: "IF(FILL(q, 0) + FILL(i, 0) >= 20, 100 * FILL(q, 0) / (FILL(q, 0) + FILL(i, 0)), 0)", ReturnData: true }),
        emf("q", "ContactsQuarantined"),
        emf("i", "ContactsIngested"),
      ]),
    });
  });

  it("alarms when the weekly schedule could not invoke the report function", () => {
    const deadLetters = logicalIdOf(pipeline, "AWS::SQS::Queue", {});
    pipeline.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [deadLetters, "QueueName"] } }],
      Threshold: 0,
    });
  });

  it("runs the forget function with the hashing secret, the table and reports/, and nothing of the inputs", () => {
    const forget = logicalIdOf(pipeline, "AWS::Lambda::Function", { Description: Match.stringLikeRegexp("forget a customer") });
    pipeline.hasResourceProperties("AWS::Lambda::Function", {
      Description: Match.stringLikeRegexp("forget a customer"),
      Runtime: "nodejs22.x",
      Timeout: 300,
      Environment: {
        Variables: { ...sharedEnv, RECONTACT_HASH_SECRET_ARN: { "Fn::ImportValue": Match.stringLikeRegexp("^Recontact-Data:.*CustomerHashKey") } },
      },
    });
    const role = (pipeline.findResources("AWS::Lambda::Function")[forget]!.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const [policy] = Object.values(pipeline.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } }));
    const statements = JSON.stringify(policy!.Properties.PolicyDocument);
    expect(statements).toContain("secretsmanager:GetSecretValue");
    expect(statements).toContain("dynamodb:DeleteItem");
    expect(statements).toContain("/reports/*");
    expect(statements).not.toMatch(/transcripts\/|analysis\/|ctr\/|quarantine\/|s3:DeleteObject/);
  });

  it("keeps each function's code at most 1 MB, bundled exactly as the cold-start bench bundles it", async () => {
    const entries = {
      "functions/ingest/handler.ts": built.pipeline.ingestFunction,
      "functions/report/handler.ts": built.pipeline.reportFunction,
      "functions/forget/handler.ts": built.pipeline.forgetFunction,
    };
    for (const [entry, fn] of Object.entries(entries)) {
      const code = readFileSync(join(assetDirOf(fn), "index.mjs"));
      expect(code.length, entry).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      // The AWS SDK is imported from the runtime, not bundled.
      expect(code.toString(), entry).toMatch(/from"@aws-sdk\/client-dynamodb"/);
      expect(code.toString(), entry).not.toMatch(/class \w+ extends \w+\{[^}]*"DynamoDBClient"/);
      const rebuilt = join(outdir, "bench-settings", entry.split("/")[1]!, "index.mjs");
      await build(esbuildOptions(new URL(`../../${entry}`, import.meta.url).pathname, rebuilt));
      expect(statSync(rebuilt).size, entry).toBe(code.length);
      expect(readFileSync(rebuilt).equals(code), entry).toBe(true);
    }
  });

  it("draws an operations dashboard: every alarm, the ingest metrics, the queues and every function", () => {
    const dashboards = Object.values(pipeline.findResources("AWS::CloudWatch::Dashboard"));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const metric of ["ContactsIngested", "ContactsQuarantined", "RepeatsFound", "ClassificationLatency", "ApproximateAgeOfOldestMessage", "Invocations", "Duration"]) {
      expect(body).toContain(metric);
    }
    for (const alarm of Object.keys(pipeline.findResources("AWS::CloudWatch::Alarm"))) expect(body).toContain(alarm);
    for (const fn of Object.keys(pipeline.findResources("AWS::Lambda::Function"))) expect(body).toContain(fn);
  });
});

describe("cdk-nag (AwsSolutions)", () => {
  it("finds no unacknowledged violations in the app", () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    const violations = report.violations.map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      at: v.violatingResources.map((r) => r.constructPath),
    }));
    expect(violations.filter((v) => v.severity === "error")).toEqual([]);
    expect(violations).toEqual([]);
  });

  it("acknowledges only findings that exist, each with a written reason", () => {
    // Run the pack as if nothing were acknowledged, to compare acknowledgments with findings.
    const pack = new AwsSolutionsChecks();
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = pack.validateScope(built.app).violations.flatMap((v) =>
      v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? "" })),
    );
    const acknowledgments = collectAcknowledgments(built.app);
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const ack of acknowledgments) {
      expect(ack.reason.length, `reason for ${ack.rule} at ${ack.path}`).toBeGreaterThan(40);
      const answered = findings.some((f) => f.rule === ack.rule && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect(answered, `${ack.rule} acknowledged at ${ack.path} answers no finding`).toBe(true);
    }
  });
});

describe("deployment settings", () => {
  const settingsOf = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

  it("defaults to Europe/Amsterdam, 365 days, no e-mail and an empty product config", () => {
    expect(settingsOf({})).toEqual({ timeZone: "Europe/Amsterdam", retentionDays: 365, alarmEmail: undefined, config: {} });
  });

  it("accepts -c values as strings, including the config as JSON text", () => {
    expect(
      settingsOf({
        [CONTEXT.retentionDays]: "90",
        [CONTEXT.timeZone]: "Asia/Seoul",
        [CONTEXT.config]: '{"windowDays": 14}',
        [CONTEXT.alarmEmail]: "ops@example.com",
      }),
    ).toEqual({ timeZone: "Asia/Seoul", retentionDays: 90, alarmEmail: "ops@example.com", config: { windowDays: 14 } });
  });

  it("rejects settings a deployment would regret", () => {
    expect(() => settingsOf({ [CONTEXT.retentionDays]: "0" })).toThrow(/retentionDays/);
    expect(() => settingsOf({ [CONTEXT.timeZone]: "Mars/Olympus" })).toThrow(/time zone/);
    expect(() => settingsOf({ [CONTEXT.config]: "{not json" })).toThrow(/not valid JSON/);
    expect(() => settingsOf({ [CONTEXT.config]: { windowDays: -1 } })).toThrow(/windowDays/);
    expect(() => settingsOf({ [CONTEXT.config]: { timeZone: "UTC" } })).toThrow(/differs/);
    expect(() => settingsOf({ [CONTEXT.alarmEmail]: "not-an-address" })).toThrow(/e-mail/);
  });
});

interface Acknowledgment {
  rule: string;
  reason: string;
  path: string;
}

function collectAcknowledgments(root: IConstruct): Acknowledgment[] {
  const found: Acknowledgment[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^annotation::/i, "");
        // Acknowledgments CDK itself records (e.g. for its own warnings) are not ours to check.
        if (rule.startsWith("AwsSolutions-")) found.push({ rule, reason, path: construct.node.path });
      }
    }
  }
  return found;
}

describe("ingest sizing (infra/sizing.ts)", () => {
  it("keeps up with twice the design peak at the measured time per contact", () => {
    expect(INGEST_MAX_CONCURRENCY).toBeGreaterThanOrEqual(2);
    expect(INGEST_CAPACITY_PER_SECOND).toBeGreaterThanOrEqual(2 * DESIGN_PEAK_CONTACTS_PER_SECOND);
    expect(ingestConcurrencyFor(26, 0.25)).toBe(13);
    expect(ingestConcurrencyFor(1, 0.01)).toBe(2);
  });

  it("lets a batch at the measured p99 take at most a third of the timeout", () => {
    expect(batchFitsTimeout()).toBe(true);
    expect(INGEST_BATCH_SIZE * MEASURED_INGEST_MS.p99 * 3).toBeLessThanOrEqual(INGEST_TIMEOUT.toMilliseconds());
    expect(batchFitsTimeout(10, 3000)).toBe(false);
  });
});
