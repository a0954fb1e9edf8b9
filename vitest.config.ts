import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Integration tests start real servers (s3rver, dynalite) and CDK tests bundle functions.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
