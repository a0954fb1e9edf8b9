import type { BuildOptions } from "esbuild";

/**
 * How every Lambda function is bundled, in one place: the CDK `NodejsFunction`s of the pipeline
 * stack read these settings, and `bench/cold-start.ts` and the infra tests build the same bundles
 * with esbuild directly (`esbuildOptions`), so what is measured is what is deployed.
 */
export const LAMBDA_NODE_MAJOR = 22;

/** CommonJS dependencies call require(); ESM has none, so the bundle defines it. */
export const BUNDLE_BANNER =
  "import { createRequire as __recontactCreateRequire } from 'node:module'; const require = __recontactCreateRequire(import.meta.url);";

/**
 * The AWS SDK v3 is not bundled: the nodejs22.x runtime ships it, AWS patches it there, and leaving
 * it out takes the ingest bundle from 1.3 MB to 0.85 MB. The price is that the SDK version in AWS
 * is the runtime's, not our lock file's. The code uses only long-stable operations (S3 Get, Head,
 * Put, List, Tagging, Delete; DynamoDB Get, Put, Update, Delete, Query; Secrets Manager
 * GetSecretValue) and client options that are no-ops where unknown (`requestChecksumCalculation`),
 * so a runtime SDK older or newer than ours behaves the same (README, "Function size").
 */
export const BUNDLE_EXTERNALS = ["@aws-sdk/*"] as const;

/** Largest bundled code (`index.mjs`) a function may have; models ship beside it as files. */
export const MAX_BUNDLE_BYTES = 1_000_000;

export const BUNDLE = {
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: "esm",
  mainFields: ["module", "main"],
  banner: BUNDLE_BANNER,
  minify: true,
  // Errors name themselves after their class (`new.target.name`); keep those names readable.
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  charset: "utf8",
  externalModules: BUNDLE_EXTERNALS,
} as const;

/** The esbuild options `NodejsFunction` derives from `BUNDLE` (its command-line flags, as options). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    outfile,
    platform: "node",
    target: BUNDLE.target,
    format: BUNDLE.format,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    charset: BUNDLE.charset,
    external: [...BUNDLE.externalModules],
    logLevel: "warning",
  };
}
