import type { Classifier } from "../classify/classifier.ts";
import { LinearModel } from "../classify/linear-model.ts";
import { parseModelArtifact } from "../classify/model-artifact.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { modelAttributor } from "../root-cause/chain-attributor.ts";
import { parseRootCauseModel, RootCauseModel } from "../root-cause/chain-model.ts";
import type { ChainAttributor } from "../use-cases/link-customer.ts";
import type { LiveModel, ModelRegistry } from "./model-registry.ts";
import { respectingReviews } from "./reviewed-attribution.ts";
import type { Task } from "./task.ts";

/** The models a contact is read with. */
export interface ModelSet {
  reasonClassifier: Classifier;
  rootCauseModel: RootCauseModel;
  attributeChain: ChainAttributor;
}

interface Cached<M> {
  live: LiveModel;
  model: M;
}

export interface LiveModelsOptions {
  /** How long a look at the registry holds; after it, the next ingest looks again. */
  ttlMs: number;
  clock: () => Date;
  log: Logger;
  /** A reason classifier to use whatever the registry says (tests). */
  fixedReason?: Classifier;
}

const loadReason = (json: unknown, source: string): Classifier => new LinearModel(parseModelArtifact(json, source));
const loadRootCause = (json: unknown, source: string) => new RootCauseModel(parseRootCauseModel(json, source));

/**
 * The live models of a running function (SPEC 8: a promoted model is picked up without a
 * redeploy). The registry's `live` pointer is read again once the TTL has passed — a small object;
 * when its ETag (or the version it names) is unchanged nothing else is read, and a new version is
 * loaded once and swapped in whole. A pointer that cannot be read or a model that does not load
 * keeps the models in use (and says so in the log): ingest never stops for a bad promotion.
 */
export class LiveModels {
  private reason?: Cached<Classifier>;
  private rootCause?: Cached<RootCauseModel>;
  private set?: ModelSet;
  private checkedAt = -Infinity;
  private refreshing?: Promise<ModelSet>;

  constructor(
    readonly registry: ModelRegistry,
    private readonly options: LiveModelsOptions,
  ) {}

  /** The models to use now; looks at the registry when the last look is older than the TTL. */
  current(): Promise<ModelSet> {
    if (this.set && this.options.clock().getTime() - this.checkedAt < this.options.ttlMs) return Promise.resolve(this.set);
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refresh(): Promise<ModelSet> {
    const [reason, rootCause] = await Promise.all([
      this.options.fixedReason ? undefined : this.resolve("reason", this.reason, loadReason),
      this.resolve("root-cause", this.rootCause, loadRootCause),
    ]);
    this.checkedAt = this.options.clock().getTime();
    const reasonClassifier = this.options.fixedReason ?? reason!.model;
    if (!this.set || reasonClassifier !== this.set.reasonClassifier || rootCause.model !== this.set.rootCauseModel) {
      this.set = { reasonClassifier, rootCauseModel: rootCause.model, attributeChain: respectingReviews(modelAttributor(rootCause.model)) };
    }
    this.reason = reason;
    this.rootCause = rootCause;
    return this.set;
  }

  private async resolve<M>(task: Task, cached: Cached<M> | undefined, load: (json: unknown, source: string) => M): Promise<Cached<M>> {
    let live: LiveModel;
    try {
      live = await this.registry.live(task);
    } catch (error) {
      if (!cached) throw error;
      this.options.log.log("warn", "model registry unreadable; keeping the loaded model", { step: "models", task, version: cached.live.version, error: describeError(error) });
      return cached;
    }
    if (cached && ((live.etag !== undefined && live.etag === cached.live.etag) || (live.version === cached.live.version && live.source === cached.live.source))) {
      return { ...cached, live };
    }
    try {
      const model = load(await this.registry.modelJson(task, live), `${task} model ${live.version} (${live.source})`);
      this.options.log.log("info", "live model loaded", { step: "models", task, version: live.version, source: live.source, replaced: cached?.live.version ?? null });
      return { live, model };
    } catch (error) {
      if (!cached) throw error;
      this.options.log.log("error", "live model does not load; keeping the loaded model", { step: "models", task, version: live.version, kept: cached.live.version, error: describeError(error) });
      return cached;
    }
  }
}
