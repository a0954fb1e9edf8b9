import { readFile, rename, writeFile } from "node:fs/promises";
import { BackfillStateSchema, type BackfillState, type CheckpointStore } from "../backfill/state.ts";
import { BackfillError, issuePath } from "../errors.ts";

/**
 * A backfill checkpoint in a JSON file. Saved by writing a temporary file and renaming it over
 * the old one, so a process killed mid-write leaves the previous checkpoint, never half of one.
 */
export class FileCheckpoint implements CheckpointStore {
  constructor(readonly path: string) {}

  async load(): Promise<BackfillState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new BackfillError("INVALID_STATE", `${this.path}: not a JSON checkpoint`, { cause: error });
    }
    const parsed = BackfillStateSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BackfillError("INVALID_STATE", `${this.path} (${issuePath(issue.path)}): ${issue.message}`);
    }
    return parsed.data;
  }

  async save(state: BackfillState): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
    await rename(temporary, this.path);
  }
}
