import { z } from "zod";

/**
 * S3 event notifications as they reach the ingest function through SQS. Real S3 URL-encodes
 * object keys (a space as "+"); the local bridge encodes s3rver's raw keys the same way, so this
 * one parser serves both.
 */
const S3EventRecordSchema = z.object({
  eventName: z.string(),
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.number().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
const S3EventSchema = z.object({ Records: z.array(S3EventRecordSchema) });
const S3TestEventSchema = z.object({ Event: z.literal("s3:TestEvent") }).loose();

export interface ObjectCreated {
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
  eventTime?: string;
  /**
   * What tells this upload from any other of the same key (the ingest idempotency key): the
   * version id in a versioned bucket; else the ETag with the event's sequencer, because the same
   * bytes uploaded again (perhaps with new metadata) have the same ETag. Unset when S3 gave neither.
   */
  version?: string;
}

export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

export function encodeS3Key(key: string): string {
  return key
    .split("/")
    .map((part) => encodeURIComponent(part).replace(/%20/g, "+"))
    .join("/");
}

/** The created objects named by one SQS message body; [] for S3's test event. Throws on garbage. */
export function objectsCreated(messageBody: string): ObjectCreated[] {
  const json: unknown = JSON.parse(messageBody);
  if (S3TestEventSchema.safeParse(json).success) return [];
  const event = S3EventSchema.parse(json);
  return event.Records.filter((r) => r.eventName.startsWith("ObjectCreated:")).map((r) => {
    const { size, eTag, versionId, sequencer } = r.s3.object;
    const version = versionId ?? (eTag ? `${eTag}@${sequencer ?? ""}` : undefined);
    return {
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      ...(size !== undefined ? { size } : {}),
      ...(eTag ? { etag: eTag } : {}),
      ...(versionId ? { versionId } : {}),
      ...(r.eventTime ? { eventTime: r.eventTime } : {}),
      ...(version ? { version } : {}),
    };
  });
}

/**
 * The SQS message body S3 itself would send for an object created: one record, the key
 * URL-encoded as S3 does. The backfill enqueues existing objects in this shape, so the ingest
 * function takes them exactly like new uploads; `eventSource` says who really sent it.
 */
export function objectCreatedMessage(object: { bucket: string; key: string; size?: number; eventTime?: Date }): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "recontact:backfill",
        eventTime: (object.eventTime ?? new Date()).toISOString(),
        eventName: "ObjectCreated:Put",
        s3: {
          s3SchemaVersion: "1.0",
          bucket: { name: object.bucket, arn: `arn:aws:s3:::${object.bucket}` },
          object: { key: encodeS3Key(object.key), ...(object.size !== undefined ? { size: object.size } : {}) },
        },
      },
    ],
  });
}
