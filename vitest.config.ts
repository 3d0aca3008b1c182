import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Stops the one host cluster the tests share, if a test started it.
    globalSetup: ["test/cluster/host-global-setup.ts"],
    // Tests that start real processes (llm-sim, k6, Prometheus) take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make process-heavy files fight over CPU and distort timing.
    maxWorkers: 2,
    // CI reads the pass/fail counts from this report (.ci/run prints them as its last line).
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/test-report.json" }]] : ["default"],
  },
});
