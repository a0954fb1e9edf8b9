import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigurationError } from "../errors.ts";

/** SPEC 6: training and evaluation data are JSON lines {"text", "label", "lang"?}; extra fields are ignored. */
export const ExampleSchema = z.object({ text: z.string(), label: z.string().min(1), lang: z.string().optional() }).loose();
export type Example = { text: string; label: string; lang?: string };

export interface Dataset {
  examples: Example[];
  sha256: string;
  sources: string[];
}

export async function readDataset(paths: readonly string[]): Promise<Dataset> {
  const { rows, sha256 } = await readJsonLines(paths, ExampleSchema);
  const examples = rows.map(({ text, label, lang }): Example => (lang ? { text, label, lang } : { text, label }));
  return { examples, sha256, sources: [...paths] };
}

/**
 * JSON lines validated line by line, with a sha256 over the files' bytes in the order given.
 * An unreadable file or a bad line is an error naming the file, the line and the field.
 */
export async function readJsonLines<T extends z.ZodType>(paths: readonly string[], schema: T): Promise<{ rows: z.infer<T>[]; sha256: string }> {
  const hash = createHash("sha256");
  const rows: z.infer<T>[] = [];
  for (const path of paths) {
    const text = await readFile(path, "utf8").catch((error: unknown) => {
      throw new ConfigurationError("INVALID_CONFIG", `${path}: cannot read the data file`, { cause: error });
    });
    hash.update(text);
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw new ConfigurationError("INVALID_CONFIG", `${path}:${i + 1}: not a JSON line`, { cause: error });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ConfigurationError("INVALID_CONFIG", `${path}:${i + 1} (${issue.path.join(".")}): ${issue.message}`);
      }
      rows.push(parsed.data);
    });
  }
  return { rows, sha256: hash.digest("hex") };
}
