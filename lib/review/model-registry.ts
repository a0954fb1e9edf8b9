import { join } from "node:path";
import type { z } from "zod";
import { binaryFileNamed, packModel, readModelFile, unpackModel } from "../classify/model-file.ts";
import { ConfigurationError, ReviewError } from "../errors.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { LivePointerSchema, ModelCardSchema, VersionSchema, type LivePointer, type ModelCard, type ModelEvent } from "./model-card.ts";
import type { Task } from "./task.ts";

/** Registry keys (SPEC 7, `models/`): one folder per version, and the live pointer. */
export const modelKeys = {
  live: (task: Task) => `models/${task}/live.json`,
  model: (task: Task, version: string) => `models/${task}/${version}/model.json`,
  /** The model's arrays (lib/classify/model-file.ts), named by its JSON. */
  modelFile: (task: Task, version: string, file: string) => `models/${task}/${version}/${file}`,
  card: (task: Task, version: string) => `models/${task}/${version}/card.json`,
  comparison: (task: Task, version: string) => `models/${task}/${version}/comparison.json`,
};

/** The models shipped in the code bundle (`<dir>/<task>/model.json`): live until a version is promoted. */
export class ShippedModels {
  private readonly cache = new Map<Task, Promise<unknown>>();

  constructor(readonly dir: string) {}

  json(task: Task): Promise<unknown> {
    let json = this.cache.get(task);
    if (!json) {
      json = readModelFile(join(this.dir, task, "model.json"));
      this.cache.set(task, json);
    }
    return json;
  }

  async version(task: Task): Promise<string> {
    const version = (await this.json(task)) as { version?: unknown };
    if (typeof version.version !== "string") throw new ConfigurationError("INVALID_MODEL", `${join(this.dir, task, "model.json")}: no version`);
    return version.version;
  }
}

export interface LiveModel {
  version: string;
  source: LivePointer["source"];
  /** The pointer object's ETag: a cache compares it to tell whether the live model changed. */
  etag?: string;
  pointer?: LivePointer;
}

export interface Actor {
  by: string;
  why: string;
  now: Date;
}

/**
 * The model registry on an object store (the bucket's `models/` prefix in AWS, a folder locally):
 * every version with its artifact, card and comparison, and a `live` pointer per task. Versions
 * are immutable once published; promotion and rollback only move the pointer (and note it on the
 * cards), so a running function that has a version loaded never sees it change under it.
 */
export class ModelRegistry {
  constructor(
    private readonly objects: ObjectStore,
    readonly shipped: ShippedModels,
  ) {}

  /** The live model of a task: the pointer's, or the shipped one when there is no pointer. */
  async live(task: Task): Promise<LiveModel> {
    const object = await this.objects.get(modelKeys.live(task));
    if (!object) return { version: await this.shipped.version(task), source: "shipped" };
    const pointer = parseJson(LivePointerSchema, object.body, modelKeys.live(task));
    return { version: pointer.version, source: pointer.source, pointer, ...(object.etag ? { etag: object.etag } : {}) };
  }

  /** Registry versions of a task (their cards), newest first. */
  async versions(task: Task): Promise<ModelCard[]> {
    const cards: ModelCard[] = [];
    for await (const { key } of this.objects.list(`models/${task}/`)) {
      if (!key.endsWith("/card.json")) continue;
      const object = await this.objects.get(key);
      if (object) cards.push(parseJson(ModelCardSchema, object.body, key));
    }
    return cards.sort((a, b) => b.created.localeCompare(a.created) || b.version.localeCompare(a.version));
  }

  async card(task: Task, version: string): Promise<ModelCard | undefined> {
    const object = await this.objects.get(modelKeys.card(task, VersionSchema.parse(version)));
    return object ? parseJson(ModelCardSchema, object.body, object.key) : undefined;
  }

  async comparison(task: Task, version: string): Promise<unknown> {
    const object = await this.objects.get(modelKeys.comparison(task, VersionSchema.parse(version)));
    return object ? JSON.parse(new TextDecoder().decode(object.body)) : undefined;
  }

  /** The artifact JSON of a version: the registry's, or the shipped model's. */
  async modelJson(task: Task, live: Pick<LiveModel, "version" | "source">): Promise<unknown> {
    if (live.source === "shipped") return this.shipped.json(task);
    const key = modelKeys.model(task, live.version);
    const object = await this.objects.get(key);
    if (!object) throw new ReviewError("UNKNOWN_MODEL_VERSION", `${task} model ${live.version} is not in the registry`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(object.body));
    } catch (error) {
      throw new ConfigurationError("INVALID_MODEL", `${key}: not JSON`, { cause: error });
    }
    const file = binaryFileNamed(json, key);
    const binary = file === undefined ? undefined : await this.objects.get(modelKeys.modelFile(task, live.version, file));
    return unpackModel(json, binary?.body, key);
  }

  /**
   * Stores a new version: the model's arrays, then its JSON, then the card — so a card is never
   * visible without its model, nor a model JSON without its arrays.
   */
  async publish(task: Task, artifact: object, card: ModelCard, comparison: unknown): Promise<void> {
    const version = VersionSchema.parse(card.version);
    const json = { contentType: "application/json" };
    const packed = packModel(artifact, "model.bin");
    await this.objects.put(modelKeys.modelFile(task, version, "model.bin"), packed.binary, { contentType: "application/octet-stream" });
    await this.objects.put(modelKeys.model(task, version), `${JSON.stringify(packed.json)}\n`, json);
    await this.objects.put(modelKeys.comparison(task, version), `${JSON.stringify(comparison, null, 2)}\n`, json);
    await this.putCard(card);
  }

  /**
   * Makes a registry version live; the version live before is kept for rollback. A version whose
   * comparison refused it is promoted only with `force` (a person overruling the rules, on record).
   */
  async promote(task: Task, version: string, actor: Actor & { force?: boolean }): Promise<LivePointer> {
    const card = await this.card(task, version);
    if (!card) throw new ReviewError("UNKNOWN_MODEL_VERSION", `${task} model ${version} is not in the registry (see recontact models list)`);
    if (card.comparison?.decision === "refuse" && !actor.force) {
      throw new ReviewError("PROMOTION_REFUSED", `${task} model ${version} was refused by its comparison (${card.comparison.reasons.filter((r) => r.startsWith("FAILED")).join("; ")}); promote it anyway only with --force`);
    }
    const current = await this.live(task);
    if (current.source === "registry" && current.version === version) {
      throw new ReviewError("INVALID_REVIEW", `${task} model ${version} is already live`);
    }
    const pointer: LivePointer = {
      schema: "recontact.live-model/v1",
      task,
      version,
      source: "registry",
      at: actor.now.toISOString(),
      by: actor.by,
      why: actor.why,
      previous: [...(current.pointer?.previous ?? []), { version: current.version, source: current.source }],
    };
    await this.writePointer(pointer);
    await this.note(task, version, { action: "promoted", at: pointer.at, by: actor.by, why: actor.why });
    return pointer;
  }

  /** Puts the version that was live before the current one back (the shipped model at the bottom). */
  async rollback(task: Task, actor: Actor): Promise<LivePointer> {
    const current = await this.live(task);
    const previous = current.pointer?.previous ?? [];
    const restored = previous.at(-1);
    if (!current.pointer || !restored) throw new ReviewError("NOTHING_TO_ROLL_BACK", `the ${task} model has never been promoted: the shipped model is live`);
    const pointer: LivePointer = { ...current.pointer, ...restored, at: actor.now.toISOString(), by: actor.by, why: actor.why, previous: previous.slice(0, -1) };
    await this.writePointer(pointer);
    const event = { at: pointer.at, by: actor.by, why: actor.why };
    if (current.source === "registry") await this.note(task, current.version, { action: "rolled-back", ...event });
    if (restored.source === "registry") await this.note(task, restored.version, { action: "restored", ...event });
    return pointer;
  }

  private async writePointer(pointer: LivePointer): Promise<void> {
    await this.objects.put(modelKeys.live(pointer.task), `${JSON.stringify(pointer, null, 2)}\n`, { contentType: "application/json" });
  }

  private async note(task: Task, version: string, event: ModelEvent): Promise<void> {
    const card = await this.card(task, version);
    if (card) await this.putCard({ ...card, events: [...card.events, event] });
  }

  private async putCard(card: ModelCard): Promise<void> {
    await this.objects.put(modelKeys.card(card.task, card.version), `${JSON.stringify(card, null, 2)}\n`, { contentType: "application/json" });
  }
}

function parseJson<T extends z.ZodType>(schema: T, body: Uint8Array, key: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    throw new ConfigurationError("INVALID_MODEL", `${key}: not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError("INVALID_MODEL", `${key} (${issue.path.join(".")}): ${issue.message}`);
  }
  return parsed.data;
}
