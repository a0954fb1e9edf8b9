import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, Stack, Validations, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cloudwatchActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { INGEST_PREFIXES, type DataStack } from "./data-stack.ts";
import { BUNDLE } from "./bundle-settings.ts";
import { operationsDashboard, quarantineRatePercent } from "./dashboard.ts";
import {
  INGEST_BATCH_SIZE,
  INGEST_BATCHING_WINDOW,
  INGEST_MAX_CONCURRENCY,
  INGEST_MEMORY_MB,
  INGEST_TIMEOUT,
  REPORT_MEMORY_MB,
  VISIBILITY_TIMEOUT_FACTOR,
} from "./sizing.ts";

/** The repository root: entries, the lock file and `models/` are found from here. */
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The models the ingest function loads, copied into its bundle. */
export const SHIPPED_MODELS = ["reason", "root-cause"] as const;

/** Where the ingest bundle carries the shipped models (`<bundle>/models/<task>/model.json`). */
/** A model is its JSON and its arrays (lib/classify/model-file.ts). */
const MODEL_FILES = ["model.json", "model.bin"] as const;
export const LAMBDA_MODELS_DIR = "/var/task/models";

/** The shipped training data the retrain function trains candidates on (lib/review/trainers.ts, shippedRecipes). */
export const SHIPPED_TRAINING_DATA = ["data/reasons/train.jsonl", "data/reasons-multilingual", "data/root-causes"] as const;

/** Where the retrain bundle carries models/ and data/ (RECONTACT_TRAINING_ROOT). */
export const LAMBDA_TRAINING_ROOT = "/var/task";

/**
 * Retraining on the shipped data, measured (`npm run bench:retrain`, and a whole `recontact
 * retrain --task reason`): 30 s of CPU and 780 MB peak RSS for the reason model (29,000 lines),
 * 15 s and 380 MB for the root-cause model. Well inside one Lambda invocation: 2 GB (memory with
 * room, and a little more than one vCPU for the single-threaded trainer) and the 15-minute
 * maximum as the timeout — no Step Functions needed.
 */
export const RETRAIN_MEMORY_MB = 2048;
export const RETRAIN_TIMEOUT = Duration.minutes(15);

/** Report schedule: Mondays 06:00 in the configured time zone (SPEC 7). */
export const REPORT_SCHEDULE_EXPRESSION = "cron(0 6 ? * MON *)";

export interface PipelineStackProps extends StackProps {
  /** The stores, queue and keys the functions work on. */
  readonly data: DataStack;
  /** IANA time zone of the weekly schedule and of the product configuration. */
  readonly timeZone: string;
  /**
   * Product configuration (SPEC 6 `--config` keys), passed to both functions as
   * `RECONTACT_CONFIG`; `timeZone` is set from the `timeZone` prop.
   * @default {} (every key at its SPEC default)
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * E-mail address subscribed to the alarm topic.
   * @default - no subscription; subscribe to the topic by other means
   */
  readonly alarmEmail?: string;
  /**
   * Reserved concurrency of the ingest function (the SQS poller's maximum concurrency is then
   * capped to it too, so the poller never invokes more than is reserved).
   * @default - unreserved; the poller's maximum concurrency (INGEST_MAX_CONCURRENCY, infra/sizing.ts) bounds it
   */
  readonly ingestReservedConcurrency?: number;
  /**
   * Share of the last hour's inputs quarantined, in percent, above which the quarantine-rate alarm
   * fires (once at least `quarantineRateMinimumInputs` arrived in the hour).
   * @default 10
   */
  readonly quarantineRatePercent?: number;
  /**
   * Inputs an hour needs before its quarantine rate can raise the alarm (one bad file of two is no trend).
   * @default 20
   */
  readonly quarantineRateMinimumInputs?: number;
  /**
   * Retention of the functions' log groups.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Compute: the ingest function (S3 events via SQS → contacts), the weekly report function
 * (EventBridge Scheduler) and the retrain function (invoked by a quality analyst), each with its
 * own least-privilege role and log group, and alarms to an encrypted SNS topic.
 */
export class PipelineStack extends Stack {
  public readonly ingestFunction: nodejs.NodejsFunction;
  public readonly reportFunction: nodejs.NodejsFunction;
  /** SPEC 7: forgets one customer, invoked by an operator with `{ customerId }` or `{ customerKey }`. */
  public readonly forgetFunction: nodejs.NodejsFunction;
  /** Schedule events the scheduler could not deliver to the report function after its retries. */
  public readonly scheduleDeadLetterQueue: sqs.Queue;
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly retrainFunction: nodejs.NodejsFunction;
  public readonly alarmTopic: sns.Topic;
  public readonly alarmKey: kms.Key;
  public readonly reportSchedule: scheduler.CfnSchedule;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { data } = props;
    assertLocalEsbuild();

    const minimumVisibility = INGEST_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR;
    if (data.ingestVisibilityTimeout.toSeconds() < minimumVisibility) {
      throw new Error(
        `PipelineStack: the ingest queue's visibility timeout (${data.ingestVisibilityTimeout.toSeconds()} s) must be at least ${VISIBILITY_TIMEOUT_FACTOR} × the ingest timeout (${minimumVisibility} s)`,
      );
    }

    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const environment = {
      RECONTACT_BUCKET: data.bucket.bucketName,
      RECONTACT_TABLE: data.table.tableName,
      RECONTACT_CONFIG: JSON.stringify({ ...props.config, timeZone: props.timeZone }),
      NODE_OPTIONS: "--enable-source-maps",
    };
    const access = new DataAccess(data);

    // ---- ingest -------------------------------------------------------------------------------
    const ingestRole = functionRole(this, "IngestRole", "recontact ingest function");
    this.ingestFunction = new nodejs.NodejsFunction(this, "IngestFunction", {
      ...functionDefaults("functions/ingest/handler.ts", {
        afterBundling: (inputDir, outputDir) =>
          SHIPPED_MODELS.flatMap((task) => [
            `mkdir -p "${outputDir}/models/${task}"`,
            ...MODEL_FILES.map((file) => `cp "${inputDir}/models/${task}/${file}" "${outputDir}/models/${task}/${file}"`),
          ]),
      }),
      description: "recontact: S3 object-created events (via SQS) → parse, classify, link, store",
      role: ingestRole,
      logGroup: functionLogs(this, "IngestLogs", logRetention, ingestRole),
      timeout: INGEST_TIMEOUT,
      memorySize: INGEST_MEMORY_MB,
      reservedConcurrentExecutions: props.ingestReservedConcurrency,
      environment: {
        ...environment,
        RECONTACT_HASH_SECRET_ARN: data.hashSecret.secretArn,
        RECONTACT_MODELS_DIR: LAMBDA_MODELS_DIR,
      },
    });
    this.ingestFunction.addEventSource(
      new SqsEventSource(data.ingestQueue, {
        batchSize: INGEST_BATCH_SIZE,
        maxBatchingWindow: INGEST_BATCHING_WINDOW,
        reportBatchItemFailures: true,
        // infra/sizing.ts: from the measured time per contact and the design peak. A smaller
        // reserved concurrency caps it (SQS event sources take a maximum of 2 or more).
        ...(props.ingestReservedConcurrency === undefined || props.ingestReservedConcurrency >= 2
          ? { maxConcurrency: Math.min(INGEST_MAX_CONCURRENCY, props.ingestReservedConcurrency ?? Infinity) }
          : {}),
      }),
    );
    access.readObjects(ingestRole, [...INGEST_PREFIXES, "models/"]);
    access.tagObjects(ingestRole, INGEST_PREFIXES);
    access.writeObjects(ingestRole, ["quarantine/"]);
    access.tagObjects(ingestRole, ["quarantine/"]);
    access.listBucket(ingestRole);
    access.tableData(ingestRole, "read-write");
    access.readHashSecret(ingestRole);

    // ---- weekly report ------------------------------------------------------------------------
    const reportRole = functionRole(this, "ReportRole", "recontact weekly report function");
    this.reportFunction = new nodejs.NodejsFunction(this, "ReportFunction", {
      ...functionDefaults("functions/report/handler.ts"),
      description: "recontact: weekly root-cause report (scheduled Mondays 06:00, or { week })",
      role: reportRole,
      logGroup: functionLogs(this, "ReportLogs", logRetention, reportRole),
      // Lambda's maximum: at 1,000,000 contacts a week, reading one week through the byWeek index
      // and aggregating it takes minutes, and the schedule builds two weeks (README, "Scale of the
      // weekly report"). Memory stays flat in the number of contacts (npm run bench:report).
      timeout: Duration.minutes(15),
      memorySize: REPORT_MEMORY_MB,
      // No hashing-secret ARN: the report reads pseudonymised records only and may not read the secret.
      environment,
    });
    access.readObjects(reportRole, ["reports/"]);
    access.writeObjects(reportRole, ["reports/"]);
    access.tableData(reportRole, "read");

    const schedulerRole = new iam.Role(this, "ReportScheduleRole", {
      description: "EventBridge Scheduler: invoke the recontact weekly report function",
      assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    });
    schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [this.reportFunction.functionArn] }),
    );
    this.scheduleDeadLetterQueue = new sqs.Queue(this, "ReportScheduleDeadLetterQueue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself a dead-letter queue: the weekly schedule's target sends the events it could not deliver here (EventBridge Scheduler's deadLetterConfig, which cdk-nag does not see as a redrive); an alarm watches its depth.",
    });
    this.scheduleDeadLetterQueue.grantSendMessages(schedulerRole);
    this.reportSchedule = new scheduler.CfnSchedule(this, "WeeklyReportSchedule", {
      description: "recontact: weekly report for the ISO week that ended, Mondays 06:00 local time",
      scheduleExpression: REPORT_SCHEDULE_EXPRESSION,
      scheduleExpressionTimezone: props.timeZone,
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: this.reportFunction.functionArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify({ source: "aws.scheduler", scheduledTime: "<aws.scheduler.scheduled-time>" }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 6 * 60 * 60 },
        deadLetterConfig: { arn: this.scheduleDeadLetterQueue.queueArn },
      },
    });

    // ---- forget (SPEC 7) ----------------------------------------------------------------------
    const forgetRole = functionRole(this, "ForgetRole", "recontact forget-customer function");
    this.forgetFunction = new nodejs.NodejsFunction(this, "ForgetFunction", {
      ...functionDefaults("functions/forget/handler.ts"),
      description: "recontact: forget a customer (SPEC 7): { customerId } or { customerKey } → items removed, reports rewritten",
      role: forgetRole,
      logGroup: functionLogs(this, "ForgetLogs", logRetention, forgetRole),
      timeout: Duration.minutes(5),
      memorySize: 1024,
      // The secret turns the identifier an operator has into the customer key the store uses.
      environment: { ...environment, RECONTACT_HASH_SECRET_ARN: data.hashSecret.secretArn },
    });
    // Deletes the customer's items, then rewrites the reports that showed them. ListBucket makes a
    // week never reported a 404 (skip it) rather than a 403.
    access.tableData(forgetRole, "read-write");
    access.readObjects(forgetRole, ["reports/"]);
    access.writeObjects(forgetRole, ["reports/"]);
    access.listBucket(forgetRole);
    access.readHashSecret(forgetRole);


    // ---- retrain (SPEC 8) -----------------------------------------------------------------------
    const retrainRole = functionRole(this, "RetrainRole", "recontact retrain function");
    this.retrainFunction = new nodejs.NodejsFunction(this, "RetrainFunction", {
      ...functionDefaults("functions/retrain/handler.ts", {
        afterBundling: (inputDir, outputDir) => [
          ...SHIPPED_MODELS.flatMap((task) => [
            `mkdir -p "${outputDir}/models/${task}"`,
            ...MODEL_FILES.map((file) => `cp "${inputDir}/models/${task}/${file}" "${outputDir}/models/${task}/${file}"`),
          ]),
          ...SHIPPED_TRAINING_DATA.flatMap((path) => [`mkdir -p "$(dirname "${outputDir}/${path}")"`, `cp -R "${inputDir}/${path}" "${outputDir}/${path}"`]),
        ],
      }),
      description: "recontact: retrain a model on the shipped data plus labels/, compare with the live one, promote if not worse ({ task, by, why })",
      role: retrainRole,
      logGroup: functionLogs(this, "RetrainLogs", logRetention, retrainRole),
      timeout: RETRAIN_TIMEOUT,
      memorySize: RETRAIN_MEMORY_MB,
      // One retrain at a time: two would both read the same live pointer and race to move it.
      reservedConcurrentExecutions: 1,
      environment: { ...environment, RECONTACT_TRAINING_ROOT: LAMBDA_TRAINING_ROOT },
    });
    access.readObjects(retrainRole, ["labels/", "models/"]);
    access.writeObjects(retrainRole, ["models/"]);
    access.listBucket(retrainRole);


    for (const fn of [this.ingestFunction, this.reportFunction, this.forgetFunction, this.retrainFunction]) {
      Validations.of(fn).acknowledge({
        id: "AwsSolutions-L1",
        reason:
          "nodejs22.x is pinned on purpose (TOOLCHAIN.md): it is the Node line the code is tested on and the bundles target; a runtime upgrade is a deliberate, tested change, not a side effect of a CDK release.",
      });
    }

    // ---- alarms -------------------------------------------------------------------------------
    this.alarmKey = new kms.Key(this, "AlarmTopicKey", {
      description: "recontact: alarm topic (SNS)",
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic; the AWS managed SNS key
    // cannot be used by CloudWatch, hence a customer-managed key that trusts it.
    this.alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowCloudWatchAlarmsToUseTheKey",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    this.alarmTopic = new sns.Topic(this, "AlarmTopic", {
      displayName: "recontact alarms",
      masterKey: this.alarmKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const perFiveMinutes = { period: Duration.minutes(5) };
    const maxPerMinute = { period: Duration.minutes(1), statistic: "Maximum" };
    const { ingestFunction: ingest, reportFunction: report, forgetFunction: forget, retrainFunction: retrain } = this;
    const quarantineRate = quarantineRatePercent(ingest.functionName, props.quarantineRateMinimumInputs ?? 20);
    const quarantineThreshold = props.quarantineRatePercent ?? 10;
    this.alarms = [
      this.alarm("IngestErrors", "the ingest function returned errors", ingest.metricErrors(perFiveMinutes), 0),
      this.alarm("IngestThrottles", "the ingest function was throttled", ingest.metricThrottles(perFiveMinutes), 0),
      this.alarm("ReportErrors", "the weekly report function failed", report.metricErrors(perFiveMinutes), 0),
      this.alarm("ReportThrottles", "the weekly report function was throttled", report.metricThrottles(perFiveMinutes), 0),
      this.alarm("ForgetErrors", "the forget-customer function failed", forget.metricErrors(perFiveMinutes), 0),
      this.alarm("ForgetThrottles", "the forget-customer function was throttled", forget.metricThrottles(perFiveMinutes), 0),
      this.alarm(
        "QuarantineRate",
        `more than ${quarantineThreshold}% of an hour's inputs were quarantined`,
        quarantineRate,
        quarantineThreshold,
      ),
      this.alarm(
        "ReportScheduleDeadLetters",
        "the weekly schedule could not invoke the report function",
        this.scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible(maxPerMinute),
        0,
      ),
      this.alarm("RetrainErrors", "the retrain function failed", retrain.metricErrors(perFiveMinutes), 0),
      this.alarm("RetrainThrottles", "the retrain function was throttled (a retrain was already running)", retrain.metricThrottles(perFiveMinutes), 0),
      this.alarm(
        "DeadLetterQueueNotEmpty",
        "messages reached the ingest dead-letter queue",
        data.deadLetterQueue.metricApproximateNumberOfMessagesVisible(maxPerMinute),
        0,
      ),
      this.alarm(
        "IngestQueueOldestMessageAge",
        "the oldest ingest message is older than 15 minutes",
        data.ingestQueue.metricApproximateAgeOfOldestMessage(maxPerMinute),
        Duration.minutes(15).toSeconds(),
      ),
    ];

    this.dashboard = operationsDashboard(this, {
      ingest,
      report,
      forget,
      retrain,
      ingestQueue: data.ingestQueue,
      deadLetterQueues: [data.deadLetterQueue, this.scheduleDeadLetterQueue],
      quarantineRate,
      alarms: this.alarms,
    });
  }

  /** An alarm that fires when `metric` is above `threshold` in one period; missing data is fine. */
  private alarm(id: string, what: string, metric: cloudwatch.IMetric, threshold: number): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `recontact: ${what}`,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}

/**
 * Least-privilege grants on the data stack's bucket, table, secret and keys, written out as
 * statements. Object access is scoped to prefixes and table access to the table and its indexes,
 * built on the data stack's named exports, so the wildcard findings cdk-nag reports are stable;
 * each grant acknowledges exactly the wildcards it creates, with the reason next to the statement.
 * Keys are used only through the service that owns them (`kms:ViaService`).
 */
class DataAccess {
  /** `<role path> <rule id>` already acknowledged: several grants can produce the same finding. */
  private readonly acknowledged = new Set<string>();

  constructor(private readonly data: DataStack) {}

  private acknowledgeOnce(role: iam.Role, acknowledgment: { id: string; reason: string }): void {
    const key = `${role.node.path} ${acknowledgment.id}`;
    if (this.acknowledged.has(key)) return;
    this.acknowledged.add(key);
    Validations.of(role).acknowledge(acknowledgment);
  }

  private get region(): string {
    return Stack.of(this.data).region;
  }

  private objects(prefixes: readonly string[]): string[] {
    return prefixes.map((prefix) => `${this.data.bucketArnExport.importValue}/${prefix}*`);
  }

  private acknowledgePrefixes(role: iam.Role, prefixes: readonly string[]): void {
    for (const prefix of prefixes) {
      this.acknowledgeOnce(role, {
        id: `AwsSolutions-IAM5[Resource::${this.data.bucketArnExport.exportName}/${prefix}*]`,
        reason: `Object keys under ${prefix} are not known in advance (one object per contact, report or model version); access is limited to that prefix of the one data bucket.`,
      });
    }
  }

  /** s3:GetObject under the prefixes, and the bucket key to decrypt them. */
  readObjects(role: iam.Role, prefixes: readonly string[]): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: this.objects(prefixes) }));
    this.useBucketKey(role, ["kms:Decrypt"]);
    this.acknowledgePrefixes(role, prefixes);
  }

  /** s3:PutObject under the prefixes, and the bucket key to encrypt (and complete multipart uploads). */
  writeObjects(role: iam.Role, prefixes: readonly string[]): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["s3:PutObject"], resources: this.objects(prefixes) }));
    this.useBucketKey(role, ["kms:Decrypt", "kms:GenerateDataKey"]);
    this.acknowledgePrefixes(role, prefixes);
  }

  /** Tag objects under the prefixes (the quarantine tag on an original that could not be ingested). */
  tagObjects(role: iam.Role, prefixes: readonly string[]): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["s3:PutObjectTagging"], resources: this.objects(prefixes) }));
    this.acknowledgePrefixes(role, prefixes);
  }

  /**
   * Without s3:ListBucket, S3 answers a read of a missing object with 403 instead of 404, and the
   * ingest function would retry (and dead-letter) the event of an object deleted since.
   */
  listBucket(role: iam.Role): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["s3:ListBucket"], resources: [this.data.bucketArnExport.importValue] }),
    );
  }

  private useBucketKey(role: iam.Role, actions: string[]): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [this.data.bucketKey.keyArn],
        conditions: { StringEquals: { "kms:ViaService": `s3.${this.region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * The item operations the contact store uses, and their batch forms (same reach), on the table
   * and its indexes; the table key with the action sets CDK's own table grants use.
   */
  tableData(role: iam.Role, mode: "read" | "read-write"): void {
    const tableArn = this.data.tableArnExport.importValue;
    const read = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];
    const write = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: mode === "read" ? read : [...read, ...write],
        resources: [tableArn, `${tableArn}/index/*`],
      }),
    );
    const keyRead = ["kms:Decrypt", "kms:DescribeKey"];
    const keyWrite = ["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: mode === "read" ? keyRead : [...keyRead, ...keyWrite],
        resources: [this.data.tableKey.keyArn],
        conditions: { StringEquals: { "kms:ViaService": `dynamodb.${this.region}.amazonaws.com` } },
      }),
    );
    this.acknowledgeOnce(role, {
      id: `AwsSolutions-IAM5[Resource::${this.data.tableArnExport.exportName}/index/*]`,
      reason:
        "The weekly queries use the table's global secondary index (byWeek); access is limited to the indexes of the one contacts table.",
    });
    if (mode === "read-write") {
      for (const action of ["kms:ReEncrypt*", "kms:GenerateDataKey*"]) {
        this.acknowledgeOnce(role, {
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason:
            "Part of the action set DynamoDB needs to write with a customer-managed table key on the caller's behalf (the set CDK's grantReadWriteData uses); limited to the table key and to calls made through DynamoDB (kms:ViaService).",
        });
      }
    }
  }

  /**
   * Written out rather than `secret.grantRead(role)`: that grant also edits the key policy in the
   * data stack with this stack's role, which would make the two stacks depend on each other.
   */
  readHashSecret(role: iam.Role): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: [this.data.hashSecret.secretArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["kms:Decrypt"],
        resources: [this.data.secretKey.keyArn],
        conditions: { StringEquals: { "kms:ViaService": `secretsmanager.${this.region}.amazonaws.com` } },
      }),
    );
  }
}

function functionRole(scope: Construct, id: string, description: string): iam.Role {
  // No AWS managed policy: the log group grant below is narrower than AWSLambdaBasicExecutionRole.
  return new iam.Role(scope, id, { description, assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
}

/** The function's own log group, with retention; its role may write to it and nowhere else. */
function functionLogs(scope: Construct, id: string, retention: logs.RetentionDays, role: iam.Role): logs.LogGroup {
  const group = new logs.LogGroup(scope, id, { retention });
  group.grantWrite(role);
  return group;
}

/**
 * NodejsFunction falls back to Docker when it cannot find esbuild; there is no Docker engine here
 * (nor in CI), so fail early with the fix instead.
 */
function assertLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve("esbuild");
  } catch (error) {
    throw new Error("esbuild is not installed: the functions are bundled locally, never with Docker; run `npm ci`", {
      cause: error,
    });
  }
}

/** Settings both functions share: runtime, architecture and a local (never Docker) esbuild bundle. */
function functionDefaults(
  entry: string,
  hooks: Partial<nodejs.ICommandHooks> = {},
): nodejs.NodejsFunctionProps {
  return {
    entry: join(REPO_ROOT, entry),
    handler: "handler",
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: {
      // Every setting from BUNDLE, so the bench and the size test build exactly these bundles.
      target: BUNDLE.target,
      format: nodejs.OutputFormat.ESM,
      mainFields: [...BUNDLE.mainFields],
      banner: BUNDLE.banner,
      minify: BUNDLE.minify,
      keepNames: BUNDLE.keepNames,
      sourceMap: BUNDLE.sourceMap,
      sourcesContent: BUNDLE.sourcesContent,
      // aws-cdk-lib 2.276 accepts `charset` but never passes it to esbuild (the bundle came out
      // ASCII-escaped, 10% larger); the flag itself does.
      esbuildArgs: { "--charset": BUNDLE.charset },
      externalModules: [...BUNDLE.externalModules],
      forceDockerBundling: false,
      logLevel: nodejs.LogLevel.WARNING,
      commandHooks: {
        beforeBundling: hooks.beforeBundling ?? (() => []),
        beforeInstall: hooks.beforeInstall ?? (() => []),
        afterBundling: hooks.afterBundling ?? (() => []),
      },
    },
  };
}
