import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests that start real processes (llm-sim, k6, Prometheus) take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: process-heavy test files fight for CPU and distort timing assertions.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
