import { z } from "zod";

/** The retrainable classifiers (SPEC 8), named as on the command line and in the registry (`models/<task>/`). */
export const TASKS = ["reason", "root-cause"] as const;
export const TaskSchema = z.enum(TASKS);
export type Task = z.infer<typeof TaskSchema>;
