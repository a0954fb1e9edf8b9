import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigurationError } from "../../errors.ts";
import type { LabelStore } from "../../ports/label-store.ts";
import { LabelSchema, latestLabels, type Label } from "../../review/label.ts";
import { TASKS, type Task } from "../../review/task.ts";

/**
 * Labels in JSON lines, one file per task (`<dir>/reason.jsonl`, `<dir>/root-cause.jsonl`),
 * appended to: the file is the review history, and the last line of a contact is its label. A
 * reason labels file is also training data for `recontact train --data`.
 */
export class JsonlLabelStore implements LabelStore {
  constructor(readonly dir: string) {}

  file(task: Task): string {
    return join(this.dir, `${task}.jsonl`);
  }

  async put(label: Label): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.file(label.task), `${JSON.stringify(LabelSchema.parse(label))}\n`);
  }

  async get(task: Task, _week: string, contactId: string): Promise<Label | undefined> {
    return (await this.all(task)).find((label) => label.contactId === contactId);
  }

  async all(task: Task): Promise<Label[]> {
    let text: string;
    try {
      text = await readFile(this.file(task), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const labels = text.split("\n").flatMap((line, i) => {
      if (!line.trim()) return [];
      const parsed = LabelSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new ConfigurationError("INVALID_CONFIG", `${this.file(task)}:${i + 1}: not a label (${parsed.error.issues[0]!.message})`);
      return [parsed.data];
    });
    return latestLabels(labels);
  }

  async ofWeek(week: string): Promise<Label[]> {
    return (await Promise.all(TASKS.map((task) => this.all(task)))).flat().filter((label) => label.week === week);
  }
}
