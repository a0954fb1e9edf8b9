/** What the use cases need of an object store (S3 in AWS and locally, through s3rver). */
export interface StoredObject {
  key: string;
  body: Uint8Array;
  /** User metadata (`x-amz-meta-*`), keys lower-cased, without the prefix. */
  metadata: Record<string, string>;
  etag?: string;
  versionId?: string;
  lastModified?: Date;
}

export interface ObjectSummary {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface ListOptions {
  /** Only keys after this one (in S3's UTF-8 binary order): where an interrupted listing resumes. */
  startAfter?: string;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface ObjectStore {
  /** The object, or undefined when it does not exist (deleted since the event was sent). */
  get(key: string): Promise<StoredObject | undefined>;
  /** Size in bytes without reading the body, or undefined when missing. */
  size(key: string): Promise<number | undefined>;
  put(key: string, body: string | Uint8Array, options?: PutOptions): Promise<void>;
  /** Adds or replaces tags on an existing object (e.g. recontact-status=quarantined). */
  tag(key: string, tags: Record<string, string>): Promise<void>;
  /** The objects under a prefix in key order, page by page as they are read. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectSummary>;
}
