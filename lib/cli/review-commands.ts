import { userInfo } from "node:os";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import Table from "cli-table3";
import { loadConfigFile, parseConfig, type Config } from "../config.ts";
import { ReviewError } from "../errors.ts";
import { jsonLogger, type Logger } from "../log.ts";
import { startReviewServer } from "../review/app/server.ts";
import { formatComparison } from "../review/compare-models.ts";
import { ReviewService } from "../review/review-service.ts";
import { TaskSchema, TASKS, type Task } from "../review/task.ts";
import { shippedRecipes } from "../review/trainers.ts";
import { retrainModel } from "../use-cases/retrain-model.ts";
import { localModelWorkspace, openAwsWorkspace, openLocalWorkspace, type Workspace } from "./local-workspace.ts";

/** Where the stores are: a local `recontact run` output folder, or the deployed bucket and table. */
interface Place {
  out?: string;
  aws?: boolean;
  config?: string;
}

const placeOptions = (command: Command) =>
  command
    .option("--out <dir>", "a `recontact run` output folder (labels, models and reports live there)", "out/demo")
    .option("--aws", "the deployed bucket and table instead (RECONTACT_BUCKET, RECONTACT_TABLE and AWS credentials from the environment)")
    .option("--config <file>", "JSON configuration (reviewThreshold, reviewSampleRate, retrain.*); the run's or the defaults otherwise");

const defaultPerson = () => process.env.RECONTACT_REVIEWER ?? userInfo().username;

/** `recontact review`, `recontact retrain` and `recontact models` (SPEC 8). */
export function registerReviewCommands(program: Command, io: { out: (text: string) => void; log?: Logger } = { out: (t) => void process.stdout.write(t) }): void {
  const log = io.log ?? jsonLogger((line) => void process.stderr.write(`${line}\n`), "warn");

  placeOptions(
    program
      .command("review")
      .description("serve the review app on 127.0.0.1: the weekly queue of low-confidence predictions, accept or correct them")
      .option("--port <n>", "port (0: any free one)", port, 0)
      .option("--reviewer <name>", "recorded with every label", defaultPerson()),
  ).action(async (opts: Place & { port: number; reviewer: string }) => {
    const config = opts.config ? await loadConfigFile(opts.config) : undefined;
    const workspace = opts.aws
      ? openAwsWorkspace(config ? { ...process.env, RECONTACT_CONFIG: JSON.stringify(config) } : process.env, { log })
      : await openLocalWorkspace(resolve(opts.out!), { log, ...(config ? { config } : {}) });
    const service = new ReviewService({ ...workspace, reviewer: opts.reviewer, afterReview: () => workspace.persist() });
    const server = await startReviewServer(service, {
      port: opts.port,
      log,
      thresholds: { threshold: workspace.config.reviewThreshold, sampleRate: workspace.config.reviewSampleRate },
    });
    io.out(`review app: ${server.url}  (reviewer ${opts.reviewer}; labels → ${workspace.describe.labels}; Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      const stop = () => void server.close().then(() => workspace.stop()).then(done);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  });

  placeOptions(
    program
      .command("retrain")
      .description("train a candidate on the shipped data plus the analysts' labels, compare it with the live model, promote it only if it is not worse")
      .addOption(new Option("--task <task>", "which model").choices([...TASKS]).makeOptionMandatory())
      .option("--by <name>", "who asks (recorded on the card)", defaultPerson())
      .option("--why <text>", "recorded with the promotion")
      .option("--no-promote", "publish and compare only; leave the live model as it is"),
  ).action(async (opts: Place & { task: Task; by: string; why?: string; promote: boolean }) => {
    const { workspace, config } = await modelsPlace(opts, log);
    const result = await retrainModel(
      { task: opts.task, by: opts.by, ...(opts.why ? { why: opts.why } : {}), promote: opts.promote },
      { registry: workspace.registry, labels: workspace.labels, rules: config.retrain, recipes: shippedRecipes(), log, clock: workspace.clock },
    );
    io.out(`${formatComparison(result.comparison)}\n\n`);
    io.out(`candidate ${result.card.version} trained in ${result.trainingSeconds}s on ${result.card.trainingData.examples} examples → ${workspace.describe.registry}/${opts.task}/${result.card.version}/\n`);
    io.out(
      result.promoted
        ? `promoted: ${result.card.version} is now the live ${opts.task} model (ingest picks it up within a minute; undo with \`recontact models rollback --task ${opts.task}\`)\n`
        : result.comparison.decision === "promote"
          ? `not promoted (--no-promote): \`recontact models promote ${result.card.version}\` makes it live\n`
          : `refused: the live model stays ${result.comparison.live.version}\n`,
    );
  });

  const models = program.command("models").description("the model registry: list versions, promote one, roll back");
  placeOptions(models.command("list").description("every version with its card, and which is live").option("--task <task>", "only this model", task)).action(
    async (opts: Place & { task?: Task }) => {
      const { workspace } = await modelsPlace(opts, log);
      for (const t of opts.task ? [opts.task] : TASKS) {
        const [live, versions, shipped] = await Promise.all([workspace.registry.live(t), workspace.registry.versions(t), workspace.registry.shipped.version(t)]);
        const table = new Table({ head: ["version", "created", "held-out macro-F1", "vs live then", "decision", "labels", "last event"] });
        for (const card of versions) {
          const isLive = live.source === "registry" && live.version === card.version;
          const event = card.events.at(-1);
          table.push([
            `${card.version}${isLive ? "  ← live" : ""}`,
            card.created.slice(0, 16),
            `${(100 * card.metrics.heldOut.macroF1).toFixed(1)}%`,
            card.comparison ? `${card.comparison.macroF1Delta >= 0 ? "+" : ""}${(100 * card.comparison.macroF1Delta).toFixed(1)} vs ${card.comparison.against}` : "",
            card.comparison?.decision ?? "",
            `${card.trainingData.reviewLabels.trainedOn} + ${card.trainingData.reviewLabels.heldOut} held out`,
            event ? `${event.action} by ${event.by}: ${event.why}`.slice(0, 60) : "",
          ]);
        }
        table.push([`${shipped} (shipped)${live.source === "shipped" ? "  ← live" : ""}`, "", "", "", "", "", "card: models/" + t + "/README.md"]);
        io.out(`${t} (registry ${workspace.describe.registry}/${t}/)\n${table.toString()}\n`);
      }
    },
  );
  placeOptions(
    models
      .command("promote")
      .description("make a registry version the live model")
      .argument("<version>")
      .option("--task <task>", "reason | root-cause (read from the version name when absent)", task)
      .option("--by <name>", "who promotes it", defaultPerson())
      .option("--why <text>", "why (recorded on the card)", "promoted by hand")
      .option("--force", "promote a version its comparison refused"),
  ).action(async (version: string, opts: Place & { task?: Task; by: string; why: string; force?: boolean }) => {
    const { workspace } = await modelsPlace(opts, log);
    const t = opts.task ?? taskOfVersion(version);
    const pointer = await workspace.registry.promote(t, version, { by: opts.by, why: opts.why, now: workspace.clock(), ...(opts.force ? { force: true } : {}) });
    io.out(`live ${t} model: ${pointer.version} (was ${pointer.previous.at(-1)?.version ?? "?"})\n`);
  });
  placeOptions(
    models
      .command("rollback")
      .description("put back the model that was live before the current one")
      .addOption(new Option("--task <task>", "which model").choices([...TASKS]).makeOptionMandatory())
      .option("--by <name>", "who rolls back", defaultPerson())
      .option("--why <text>", "why (recorded on the cards)", "rolled back by hand"),
  ).action(async (opts: Place & { task: Task; by: string; why: string }) => {
    const { workspace } = await modelsPlace(opts, log);
    const before = await workspace.registry.live(opts.task);
    const pointer = await workspace.registry.rollback(opts.task, { by: opts.by, why: opts.why, now: workspace.clock() });
    io.out(`live ${opts.task} model: ${pointer.version} (${pointer.source}), was ${before.version}\n`);
  });
}

/** The registry and labels of the place, and the configuration retraining follows. */
async function modelsPlace(opts: Place, log: Logger): Promise<{ workspace: Pick<Workspace, "labels" | "registry" | "clock" | "describe">; config: Config }> {
  const config = opts.config ? await loadConfigFile(opts.config) : parseConfig(opts.aws && process.env.RECONTACT_CONFIG ? JSON.parse(process.env.RECONTACT_CONFIG) : {}, "RECONTACT_CONFIG");
  const workspace = opts.aws ? openAwsWorkspace(process.env, { log }) : localModelWorkspace(resolve(opts.out!), { log });
  return { workspace, config };
}

/** Registry versions are named after their task (`reason-…`, `root-cause-…`). */
function taskOfVersion(version: string): Task {
  const match = TASKS.find((name) => version.startsWith(`${name}-`));
  if (!match) throw new ReviewError("UNKNOWN_MODEL_VERSION", `cannot tell the task of ${version}: pass --task reason|root-cause`);
  return match;
}

function task(value: string): Task {
  const parsed = TaskSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`expected ${TASKS.join(" or ")}`);
  return parsed.data;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number");
  return n;
}
