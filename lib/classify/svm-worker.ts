/** The helper thread of `TrainingHelper`: trains labels of each job it is sent, off the shared counter. */
import { parentPort } from "node:worker_threads";
import { trainSharedLabels, type SharedJob } from "./svm-parallel.ts";

parentPort!.on("message", (job: SharedJob) => trainSharedLabels(job));
parentPort!.postMessage("ready");
