// Entry of an ingest worker thread (see ingest-worker-pool.ts). A worker does not inherit the
// parent's TypeScript loader, whatever started the parent (bin/recontact.js, tsx, vitest), so
// it registers tsx itself before loading the worker's code.
import { register } from "tsx/esm/api";

register();
await import("./ingest-worker.ts");
