/**
 * Wall time of the named steps of one piece of work (fetch, parse, classify, link, store), for
 * the structured log line that closes it: the time split by step is read from the logs, in
 * Lambda (CloudWatch Logs Insights) and locally (`recontact run`, the throughput benchmark) alike.
 */
export interface StepTimer {
  /** Runs `work`, adding its wall time to `step` (steps may be timed more than once). */
  time<T>(step: string, work: () => Promise<T> | T): Promise<T>;
  /** `{ <step>Ms: total }` for every step timed, rounded to 0.1 ms. */
  fields(): Record<string, number>;
}

export function stepTimer(): StepTimer {
  const totals = new Map<string, number>();
  return {
    async time(step, work) {
      const started = performance.now();
      try {
        return await work();
      } finally {
        totals.set(step, (totals.get(step) ?? 0) + performance.now() - started);
      }
    },
    fields() {
      return Object.fromEntries([...totals].map(([step, ms]) => [`${step}Ms`, Math.round(ms * 10) / 10]));
    },
  };
}
