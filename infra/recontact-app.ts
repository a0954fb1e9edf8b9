import { App, Validations, type AppProps } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { Node } from "constructs";
import { parseConfig } from "../lib/config.ts";
import { DataStack } from "./data-stack.ts";
import { PipelineStack } from "./pipeline-stack.ts";

/**
 * Deployment settings, read from CDK context (cdk.json, or `-c key=value` on the command line):
 *
 * | key | default | meaning |
 * |---|---|---|
 * | `recontact:timeZone` | `Europe/Amsterdam` | IANA zone of the Monday 06:00 schedule and of the product config |
 * | `recontact:retentionDays` | `365` | days before `transcripts/`, `analysis/`, `ctr/` and `quarantine/` objects expire |
 * | `recontact:alarmEmail` | unset | e-mail address subscribed to the alarm topic |
 * | `recontact:config` | `{}` | product configuration (SPEC 6 `--config` keys), a JSON object or its JSON text |
 */
export interface RecontactSettings {
  readonly timeZone: string;
  readonly retentionDays: number;
  readonly alarmEmail?: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export const CONTEXT = {
  timeZone: "recontact:timeZone",
  retentionDays: "recontact:retentionDays",
  alarmEmail: "recontact:alarmEmail",
  config: "recontact:config",
} as const;

export function readSettings(node: Node): RecontactSettings {
  const timeZone = String(node.tryGetContext(CONTEXT.timeZone) ?? "Europe/Amsterdam");
  const retentionDays = Number(node.tryGetContext(CONTEXT.retentionDays) ?? 365);
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`context ${CONTEXT.retentionDays}: expected a positive whole number of days`);
  }
  const rawEmail: unknown = node.tryGetContext(CONTEXT.alarmEmail);
  const alarmEmail = typeof rawEmail === "string" && rawEmail.trim() !== "" ? rawEmail.trim() : undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`context ${CONTEXT.alarmEmail}: "${alarmEmail}" is not an e-mail address`);
  }

  const config = configObject(node.tryGetContext(CONTEXT.config));
  if (config.timeZone !== undefined && config.timeZone !== timeZone) {
    throw new Error(
      `context ${CONTEXT.config}.timeZone (${String(config.timeZone)}) differs from ${CONTEXT.timeZone} (${timeZone}); set the time zone once, in ${CONTEXT.timeZone}`,
    );
  }
  // Fail the synth, not the first invocation, on a configuration the functions would reject.
  parseConfig({ ...config, timeZone }, `context ${CONTEXT.config}`);
  return { timeZone, retentionDays, alarmEmail, config };
}

function configObject(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === "") return {};
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`context ${CONTEXT.config}: not valid JSON`, { cause: error });
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`context ${CONTEXT.config}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

export interface RecontactApp {
  readonly app: App;
  readonly settings: RecontactSettings;
  readonly data: DataStack;
  readonly pipeline: PipelineStack;
}

/**
 * The whole deployment: `Recontact-Data` (stores, keys, queue) and `Recontact-Pipeline`
 * (functions, schedule, alarms), checked by cdk-nag's AWS Solutions pack on every synth.
 *
 * cdk-nag 3 is a policy-validation plugin (`Validations.of(app).addPlugins(...)`), no longer an
 * aspect: its findings are reported in the validation report when the app synthesises, an
 * unacknowledged error fails the synth, and rules are acknowledged with
 * `Validations.of(construct).acknowledge({ id, reason })`.
 */
export function createRecontactApp(props: AppProps = {}): RecontactApp {
  const app = new App(props);
  const settings = readSettings(app.node);

  const data = new DataStack(app, "Recontact-Data", {
    description: "recontact: transcript bucket, contacts table, hashing key, ingest queue",
    retentionDays: settings.retentionDays,
  });
  const pipeline = new PipelineStack(app, "Recontact-Pipeline", {
    description: "recontact: ingest and weekly report functions, schedule, alarms",
    data,
    timeZone: settings.timeZone,
    config: settings.config,
    alarmEmail: settings.alarmEmail,
  });
  pipeline.addStackDependency(data);

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, settings, data, pipeline };
}
