import { RateLimiter } from "limiter";
import { BackfillError } from "../errors.ts";
import { MAX_SEND_BATCH } from "../ports/ingest-queue.ts";

const UNITS: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600 };

/** "50/s", "3000/min", "20000/h" or a bare number (per second) → objects per second. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*([a-z]+))?\s*$/i.exec(text);
  const seconds = match ? UNITS[(match[2] ?? "s").toLowerCase()] : undefined;
  const perSecond = match && seconds ? Number(match[1]) / seconds : NaN;
  if (!Number.isFinite(perSecond) || perSecond <= 0) {
    throw new BackfillError("INVALID_RATE", `--rate "${text}": expected objects per time, e.g. 50/s, 3000/min or 20000/h`);
  }
  return perSecond;
}

export interface Pace {
  /** Objects per send: SQS's batch of ten, fewer when the rate allows fewer per second. */
  batchSize: number;
  /** Waits until `count` more objects may go. */
  take(count: number): Promise<void>;
}

/**
 * A token bucket (the `limiter` package: small, typed, maintained, and its removeTokens(n) takes
 * a whole batch at once, which p-limit — concurrency only — and p-throttle — calls, not weights —
 * do not). The bucket holds one second of objects, so a paused producer bursts at most that.
 */
export function pace(perSecond: number): Pace {
  if (!Number.isFinite(perSecond)) return { batchSize: MAX_SEND_BATCH, take: async () => {} };
  const slow = perSecond < 1;
  const limiter = new RateLimiter(slow ? { tokensPerInterval: 1, interval: 1000 / perSecond } : { tokensPerInterval: perSecond, interval: 1000 });
  const batchSize = slow ? 1 : Math.max(1, Math.min(MAX_SEND_BATCH, Math.floor(perSecond)));
  return {
    batchSize,
    async take(count) {
      if (count > 0) await limiter.removeTokens(count);
    },
  };
}
