#!/usr/bin/env node
// The `recontact` command. The sources are TypeScript; tsx compiles them on load so the CLI,
// the Lambda handlers and the tests all run the same files with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
