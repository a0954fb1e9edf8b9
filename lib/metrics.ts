/**
 * Business metrics as CloudWatch Embedded Metric Format (EMF): one JSON document per flush,
 * written to the function's log, from which CloudWatch extracts the metrics. No agent, no
 * PutMetricData call and no extra dependency; the documents carry counts and milliseconds only.
 */
export const METRICS_NAMESPACE = "Recontact";

/** Metric names and units, shared by the functions that emit them and the alarms that read them. */
export const METRIC = {
  contactsIngested: { name: "ContactsIngested", unit: "Count" },
  contactsQuarantined: { name: "ContactsQuarantined", unit: "Count" },
  repeatsFound: { name: "RepeatsFound", unit: "Count" },
  classificationLatency: { name: "ClassificationLatency", unit: "Milliseconds" },
  customersForgotten: { name: "CustomersForgotten", unit: "Count" },
  itemsForgotten: { name: "ItemsForgotten", unit: "Count" },
} as const;
export type MetricKey = keyof typeof METRIC;

/** The dimension every document carries, so two deployments in one account never mix. */
export const METRICS_DIMENSION = "FunctionName";

export interface Metrics {
  count(metric: MetricKey, n?: number): void;
  /** One observation (a latency in milliseconds). */
  observe(metric: MetricKey, value: number): void;
  /** Writes what was recorded since the last flush as one EMF document, and starts over. */
  flush(): void;
}

/** EMF allows at most 100 values per metric in one document. */
const MAX_VALUES = 100;

export function emfMetrics(write: (line: string) => void, functionName: string, clock: () => Date = () => new Date()): Metrics {
  let counts = new Map<MetricKey, number>();
  let observations = new Map<MetricKey, number[]>();
  return {
    count(metric, n = 1) {
      counts.set(metric, (counts.get(metric) ?? 0) + n);
    },
    observe(metric, value) {
      observations.set(metric, [...(observations.get(metric) ?? []), Math.round(value * 100) / 100]);
    },
    flush() {
      const recorded = [...counts.entries(), ...observations.entries()] as [MetricKey, number | number[]][];
      counts = new Map();
      observations = new Map();
      for (const chunk of chunks(recorded)) write(JSON.stringify(emfDocument(chunk, functionName, clock())));
    },
  };
}

/** Splits observations longer than EMF's limit over several documents. */
function chunks(recorded: [MetricKey, number | number[]][]): [MetricKey, number | number[]][][] {
  if (recorded.length === 0) return [];
  const out: [MetricKey, number | number[]][][] = [[]];
  for (const [metric, value] of recorded) {
    if (!Array.isArray(value)) {
      out[0]!.push([metric, value]);
      continue;
    }
    for (let i = 0; i < value.length; i += MAX_VALUES) {
      const index = i / MAX_VALUES;
      out[index] ??= [];
      out[index]!.push([metric, value.slice(i, i + MAX_VALUES)]);
    }
  }
  return out;
}

function emfDocument(recorded: [MetricKey, number | number[]][], functionName: string, at: Date): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[METRICS_DIMENSION]],
          Metrics: recorded.map(([metric]) => ({ Name: METRIC[metric].name, Unit: METRIC[metric].unit })),
        },
      ],
    },
    [METRICS_DIMENSION]: functionName,
    ...Object.fromEntries(recorded.map(([metric, value]) => [METRIC[metric].name, value])),
  };
}

export const silentMetrics: Metrics = { count() {}, observe() {}, flush() {} };
