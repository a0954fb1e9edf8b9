import type { Label } from "../review/label.ts";
import type { Task } from "../review/task.ts";

/**
 * Where the analysts' labels live (SPEC 8: `labels/` in S3, JSON lines locally). A label is
 * stored with who and when; a later review of the same task and contact replaces the earlier one.
 */
export interface LabelStore {
  put(label: Label): Promise<void>;
  /** The label of one task and contact (of the contact's week), if it was reviewed. */
  get(task: Task, week: string, contactId: string): Promise<Label | undefined>;
  /** Every label of a task, the latest per contact. */
  all(task: Task): Promise<Label[]>;
  /** The labels of one week's contacts (both tasks), the latest per task and contact. */
  ofWeek(week: string): Promise<Label[]>;
}
