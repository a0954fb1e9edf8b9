import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { METRIC, METRICS_DIMENSION, METRICS_NAMESPACE, type MetricKey } from "../lib/metrics.ts";

/** A business metric a function emits as EMF (lib/metrics.ts). */
export function recontactMetric(
  functionName: string,
  key: MetricKey,
  options: { statistic?: string; period?: Duration; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: METRIC[key].name,
    dimensionsMap: { [METRICS_DIMENSION]: functionName },
    statistic: options.statistic ?? "Sum",
    period: options.period ?? Duration.minutes(5),
    ...(options.label ? { label: options.label } : {}),
  });
}

/**
 * Percent of an hour's inputs that were quarantined, or 0 while fewer than `minimumInputs`
 * arrived. A document without a count means none in it, hence FILL(…, 0).
 */
export function quarantineRatePercent(ingestFunctionName: string, minimumInputs: number): cloudwatch.MathExpression {
  const hour = { period: Duration.hours(1) };
  return new cloudwatch.MathExpression({
    expression: `IF(FILL(q, 0) + FILL(i, 0) >= ${minimumInputs}, 100 * FILL(q, 0) / (FILL(q, 0) + FILL(i, 0)), 0)`,
    usingMetrics: {
      q: recontactMetric(ingestFunctionName, "contactsQuarantined", hour),
      i: recontactMetric(ingestFunctionName, "contactsIngested", hour),
    },
    period: Duration.hours(1),
    label: "quarantined, % of inputs",
  });
}

export interface DashboardProps {
  readonly ingest: lambda.IFunction;
  readonly report: lambda.IFunction;
  readonly forget: lambda.IFunction;
  readonly retrain: lambda.IFunction;
  readonly ingestQueue: sqs.IQueue;
  readonly deadLetterQueues: readonly sqs.IQueue[];
  readonly quarantineRate: cloudwatch.IMetric;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * One page for operations: alarm states; what ingest did (contacts, quarantined, repeats,
 * classification latency); the queues; and each function's invocations, errors, throttles and
 * duration.
 */
export function operationsDashboard(scope: Construct, props: DashboardProps): cloudwatch.Dashboard {
  const ingestName = props.ingest.functionName;
  const fiveMinutes = { period: Duration.minutes(5) };
  const wide = { width: 12, height: 6 };
  const third = { width: 8, height: 6 };
  const functions = [props.ingest, props.report, props.forget, props.retrain];

  const dashboard = new cloudwatch.Dashboard(scope, "OperationsDashboard", {
    defaultInterval: Duration.days(7),
  });
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: "recontact alarms", alarms: [...props.alarms], width: 24, height: 3 }));
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: "Ingest: contacts per 5 minutes",
      left: [
        recontactMetric(ingestName, "contactsIngested", { label: "ingested" }),
        recontactMetric(ingestName, "contactsQuarantined", { label: "quarantined" }),
        recontactMetric(ingestName, "repeatsFound", { label: "repeats found" }),
      ],
      ...third,
    }),
    new cloudwatch.GraphWidget({
      title: "Classification latency (ms)",
      left: ["p50", "p90", "Maximum"].map((statistic) => recontactMetric(ingestName, "classificationLatency", { statistic, label: statistic })),
      ...third,
    }),
    new cloudwatch.GraphWidget({ title: "Quarantine rate (%, hourly)", left: [props.quarantineRate], leftYAxis: { min: 0, max: 100 }, ...third }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: "Ingest queue",
      left: [props.ingestQueue.metricApproximateNumberOfMessagesVisible({ ...fiveMinutes, statistic: "Maximum", label: "messages waiting" })],
      right: [props.ingestQueue.metricApproximateAgeOfOldestMessage({ ...fiveMinutes, statistic: "Maximum", label: "oldest (s)" })],
      ...wide,
    }),
    new cloudwatch.GraphWidget({
      title: "Dead-letter queues",
      left: props.deadLetterQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ ...fiveMinutes, statistic: "Maximum" })),
      ...wide,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: "Invocations", left: functions.map((fn) => fn.metricInvocations(fiveMinutes)), ...third }),
    new cloudwatch.GraphWidget({
      title: "Errors and throttles",
      left: functions.flatMap((fn) => [fn.metricErrors(fiveMinutes), fn.metricThrottles(fiveMinutes)]),
      ...third,
    }),
    new cloudwatch.GraphWidget({
      title: "Duration p90 (ms)",
      left: functions.map((fn) => fn.metricDuration({ ...fiveMinutes, statistic: "p90" })),
      ...third,
    }),
  );
  return dashboard;
}
