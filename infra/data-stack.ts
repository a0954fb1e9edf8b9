import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from "aws-cdk-lib";
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from "aws-cdk-lib/cx-api";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { INGEST_VISIBILITY_TIMEOUT } from "./sizing.ts";

/** Prefixes whose new objects are ingested (SPEC 7); their objects expire after `retentionDays`. */
// Amazon Connect writes Contact Lens output under "Analysis/" (capital A) in the instance bucket;
// S3 prefixes are case-sensitive, so both spellings are ingested.
export const INGEST_PREFIXES = ["transcripts/", "analysis/", "Analysis/", "ctr/"] as const;

export interface DataStackProps extends StackProps {
  /**
   * Days after which objects under `transcripts/`, `analysis/`, `ctr/` and `quarantine/` (and the
   * server access logs, which name those objects) expire.
   * @default 365
   */
  readonly retentionDays?: number;
  /**
   * Days after which a noncurrent (overwritten or deleted) object version expires.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Visibility timeout of the ingest queue. Must be at least six times the ingest function's
   * timeout; the pipeline stack checks it.
   * @default INGEST_VISIBILITY_TIMEOUT (360 seconds)
   */
  readonly ingestVisibilityTimeout?: Duration;
  /**
   * Receives of a message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/** A value exported under a fixed name, and the `Fn::ImportValue` that reads it. */
export interface NamedExport {
  /** The CloudFormation export name, e.g. `Recontact-Data-BucketArn`. */
  readonly exportName: string;
  /** `Fn::ImportValue` of the export, for use in another stack of the same environment. */
  readonly importValue: string;
}

/**
 * Everything that holds data: the transcript bucket, the contacts table, the hashing key and the
 * ingest queue with its dead-letter queue. Stateful resources are retained when the stack is
 * deleted. The queue and the bucket notifications live here too, so that the pipeline stack only
 * depends on this one and there is no cross-stack cycle.
 */
export class DataStack extends Stack {
  /** Transcripts, Contact Lens output, CTRs, labels, models, reports and quarantine (SPEC 7). */
  public readonly bucket: s3.Bucket;
  /** Target of the data bucket's server access logs (SSE-S3: log delivery cannot use SSE-KMS). */
  public readonly accessLogBucket: s3.Bucket;
  /** Contacts, links and quarantine records; GSI `byWeek` for the weekly report. */
  public readonly table: dynamodb.Table;
  /** The HMAC key that turns a normalised customer identifier into `customerKey` (SPEC 2.5). */
  public readonly hashSecret: secretsmanager.Secret;
  /** Object-created events of the ingest prefixes, consumed by the ingest function. */
  public readonly ingestQueue: sqs.Queue;
  /** Messages the ingest function failed `maxReceiveCount` times. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Visibility timeout the ingest queue was created with. */
  public readonly ingestVisibilityTimeout: Duration;
  /** Customer-managed key of the bucket. */
  public readonly bucketKey: kms.Key;
  /** Customer-managed key of the table. */
  public readonly tableKey: kms.Key;
  /** Customer-managed key of the hashing secret. */
  public readonly secretKey: kms.Key;
  /**
   * The bucket ARN and the table ARN under fixed export names. IAM statements that scope access to
   * a prefix (`…/transcripts/*`) or to the indexes (`…/index/*`) build on these, so the wildcard
   * findings cdk-nag reports, and the acknowledgments that answer them, name a readable, stable
   * export instead of a generated one.
   */
  public readonly bucketArnExport: NamedExport;
  public readonly tableArnExport: NamedExport;

  constructor(scope: Construct, id: string, props: DataStackProps = {}) {
    super(scope, id, props);
    // Log delivery by bucket policy, not the LogDeliveryWrite ACL (which BUCKET_OWNER_ENFORCED
    // forbids). Set here so the stack does not depend on the app's cdk.json to be valid.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    const retentionDays = props.retentionDays ?? 365;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new Error(`DataStack: retentionDays must be a positive integer, got ${retentionDays}`);
    }
    this.ingestVisibilityTimeout = props.ingestVisibilityTimeout ?? INGEST_VISIBILITY_TIMEOUT;

    this.bucketKey = customerKey(this, "BucketKey", "recontact: transcripts, analysis, CTRs, models and reports (S3)");
    this.tableKey = customerKey(this, "TableKey", "recontact: contacts table (DynamoDB)");
    this.secretKey = customerKey(this, "SecretKey", "recontact: customer-id hashing key (Secrets Manager)");

    this.accessLogBucket = new s3.Bucket(this, "AccessLogBucket", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: "expire-access-logs", expiration: Duration.days(retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, "DataBucket", {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.bucketKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: "data-bucket/",
      lifecycleRules: [
        {
          id: "noncurrent-versions",
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 30),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        // Quarantine records name the objects they describe (and may quote a malformed line):
        // they go with the inputs.
        ...[...INGEST_PREFIXES, "quarantine/"].map((prefix) => ({
          id: `expire-${prefix.replace(/\/$/, "")}`,
          prefix,
          expiration: Duration.days(retentionDays),
        })),
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new dynamodb.Table(this, "ContactsTable", {
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      timeToLiveAttribute: "expiresAt",
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: "byWeek",
      partitionKey: { name: "gsi1pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "gsi1sk", type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.hashSecret = new secretsmanager.Secret(this, "CustomerHashKey", {
      description: "recontact: HMAC-SHA-256 key that pseudonymises customer identifiers (SPEC 2.5)",
      encryptionKey: this.secretKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.hashSecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Rotating the HMAC key is a deliberate operator step, not a timer: every stored customerKey derives from it, and the functions re-key returning customers only during a grace period after a rotation (README, Rotating the hashing secret). It never leaves the account; only the ingest and forget roles can read it.",
    });

    this.deadLetterQueue = new sqs.Queue(this, "IngestDeadLetterQueue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.ingestQueue = new sqs.Queue(this, "IngestQueue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: this.ingestVisibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    for (const prefix of INGEST_PREFIXES) {
      this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.ingestQueue), {
        prefix,
      });
    }
    this.acknowledgeNotificationHandler();

    this.bucketArnExport = this.namedExport("BucketArn", this.bucket.bucketArn);
    this.tableArnExport = this.namedExport("TableArn", this.table.tableArn);
  }

  private namedExport(name: string, value: string): NamedExport {
    const exportName = `${this.stackName}-${name}`;
    return { exportName, importValue: this.exportValue(value, { name: exportName }) };
  }

  /**
   * `addEventNotification` installs CDK's singleton custom resource that calls
   * PutBucketNotificationConfiguration (CloudFormation cannot express notifications on a bucket
   * whose queue policy refers back to the bucket without a cycle). Its function and role are CDK's.
   * (The log bucket needs no S1 acknowledgment: cdk-nag exempts server access log targets.)
   */
  private acknowledgeNotificationHandler(): void {
    const handler = this.node.children.find((child) => child.node.id.startsWith("BucketNotificationsHandler"));
    if (!handler) throw new Error("DataStack: expected CDK's BucketNotificationsHandler after addEventNotification");
    Validations.of(handler).acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      reason:
        "CDK's bucket-notification custom resource handler (construct library code, runs only during deployments) writes its logs through the AWS managed basic execution policy; its only other permission is s3:PutBucketNotification on this bucket.",
    });
  }
}

function customerKey(scope: Construct, id: string, description: string): kms.Key {
  return new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
}
