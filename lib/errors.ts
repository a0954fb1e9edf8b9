/**
 * Typed errors. Every error carries a stable `code` and says whether a retry can help:
 * handlers decide "retry (and eventually dead-letter)" versus "quarantine" from `retryable` alone.
 */
export abstract class RecontactError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input object itself is bad: retrying cannot help, so it is quarantined. */
export class InputError extends RecontactError {
  readonly retryable = false;
  constructor(
    readonly code: InputErrorCode,
    readonly objectKey: string,
    readonly field: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${objectKey}${field ? ` (${field})` : ""}: ${detail}`, options);
  }
}

export type InputErrorCode =
  | "MALFORMED_JSON"
  | "UNKNOWN_FORMAT"
  | "SCHEMA_VIOLATION"
  | "MISSING_CUSTOMER_ID"
  | "EMPTY_TEXT"
  | "NOT_UTF8"
  | "OVERSIZED"
  | "EMPTY_OBJECT";

/** A fault of the infrastructure (throttling, timeouts, a lost race): retry. */
export class InfrastructureError extends RecontactError {
  readonly code: string;
  readonly retryable = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Configuration or a model artifact is wrong: an operator must fix it, retries cannot. */
export class ConfigurationError extends RecontactError {
  readonly retryable = false;
  constructor(
    readonly code: "INVALID_CONFIG" | "INVALID_MODEL" | "MISSING_SECRET",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Names the first failing path of a zod error as `a.b[0].c`, for messages that say which field. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

/** Lets code that must never crash report a non-RecontactError thrown by a library. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A review, label or model-registry request that cannot be done as asked; the message says why. */
export class ReviewError extends RecontactError {
  readonly retryable = false;
  constructor(
    readonly code: ReviewErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A backfill cannot start or go on as asked: a bad rate, inventory or checkpoint. Retrying the same cannot help. */
export class BackfillError extends RecontactError {
  readonly retryable = false;
  constructor(
    readonly code: "INVALID_RATE" | "INVALID_INVENTORY" | "INVALID_STATE" | "STATE_MISMATCH",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ReviewErrorCode =
  | "NOT_FOUND"
  | "INVALID_REVIEW"
  | "NOT_A_REPEAT"
  | "UNKNOWN_MODEL_VERSION"
  | "NOTHING_TO_ROLL_BACK"
  | "PROMOTION_REFUSED";
