import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ListOptions, ObjectStore, ObjectSummary, PutOptions, StoredObject } from "../ports/object-store.ts";

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || error instanceof NotFound || (error as { name?: string }).name === "NotFound";
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      return {
        key,
        body,
        metadata: lowerKeys(out.Metadata ?? {}),
        ...(out.ETag ? { etag: out.ETag.replaceAll('"', "") } : {}),
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
        ...(out.LastModified ? { lastModified: out.LastModified } : {}),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
        ...(options.metadata ? { Metadata: options.metadata } : {}),
      }),
    );
  }

  async tag(key: string, tags: Record<string, string>): Promise<void> {
    await this.s3.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucket,
        Key: key,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  }

  /**
   * Pages with ListObjects (v1) and the last key seen as the marker, so any key is a place to
   * resume from. (ListObjectsV2's continuation tokens would do the same in S3, but s3rver makes
   * them with DES, which Node 20's OpenSSL 3 refuses without --openssl-legacy-provider.)
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectSummary> {
    let marker = options.startAfter;
    for (;;) {
      const page = await this.s3.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, ...(marker ? { Marker: marker } : {}) }));
      const contents = page.Contents ?? [];
      for (const object of contents) {
        if (!object.Key) continue;
        yield { key: object.Key, size: object.Size ?? 0, ...(object.LastModified ? { lastModified: object.LastModified } : {}) };
      }
      const last = contents.at(-1)?.Key;
      if (!page.IsTruncated || !last) return;
      marker = last;
    }
  }
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
