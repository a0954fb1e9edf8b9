import { LabelSchema, latestLabels, type Label } from "../review/label.ts";
import { TASKS, type Task } from "../review/task.ts";
import type { LabelStore } from "../ports/label-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";

/** Objects read at once when a prefix is listed (S3 answers each GET in tens of milliseconds). */
const PARALLEL_READS = 16;

const labelObjectKey = (task: Task, week: string, contactId: string) => `labels/${task}/${week}/${encodeURIComponent(contactId)}.json`;

/**
 * Labels as objects under `labels/<task>/<week>/<contact id>.json` (SPEC 7): one object per task
 * and contact, replaced by a later review (the versioned bucket keeps the earlier ones). The week
 * in the key lets the review queue read one week's labels with one listing.
 */
export class ObjectStoreLabelStore implements LabelStore {
  constructor(private readonly objects: ObjectStore) {}

  async put(label: Label): Promise<void> {
    await this.objects.put(labelObjectKey(label.task, label.week, label.contactId), `${JSON.stringify(LabelSchema.parse(label))}\n`, { contentType: "application/json" });
  }

  async get(task: Task, week: string, contactId: string): Promise<Label | undefined> {
    const object = await this.objects.get(labelObjectKey(task, week, contactId));
    return object ? LabelSchema.parse(JSON.parse(new TextDecoder().decode(object.body))) : undefined;
  }

  all(task: Task): Promise<Label[]> {
    return this.read([`labels/${task}/`]);
  }

  ofWeek(week: string): Promise<Label[]> {
    return this.read(TASKS.map((task) => `labels/${task}/${week}/`));
  }

  private async read(prefixes: readonly string[]): Promise<Label[]> {
    const keys: string[] = [];
    for (const prefix of prefixes) for await (const { key } of this.objects.list(prefix)) if (key.endsWith(".json")) keys.push(key);
    const labels: Label[] = [];
    for (let i = 0; i < keys.length; i += PARALLEL_READS) {
      const objects = await Promise.all(keys.slice(i, i + PARALLEL_READS).map((key) => this.objects.get(key)));
      for (const object of objects) if (object) labels.push(LabelSchema.parse(JSON.parse(new TextDecoder().decode(object.body))));
    }
    return latestLabels(labels.sort((a, b) => a.reviewedAt.localeCompare(b.reviewedAt)));
  }
}
