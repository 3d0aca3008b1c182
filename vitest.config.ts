import { configDefaults, defineConfig } from "vitest/config";
import { LongestFirstSequencer } from "./test/longest-first.js";

/**
 * Two phases, one after the other (`npm test` runs them as two vitest runs, `--project cold`
 * then `--project main`; a plain `vitest run` orders them too, through groupOrder):
 * - cold: tests that need no host cluster running at their start, because they start and stop
 *   one themselves (test/cluster-cold/);
 * - main: everything else, where the host tests share one running cluster (test/cluster/host-shared.ts).
 */
const COLD = "test/cluster-cold/**/*.test.ts";

export default defineConfig({
  test: {
    // Stops the one host cluster the tests share, if a test started it.
    globalSetup: ["test/cluster/host-global-setup.ts"],
    // Tests that start real processes (llm-sim, k6, Prometheus) take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make process-heavy files fight over CPU and distort timing.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
    // CI reads the pass/fail counts from the report (.ci/run sums the phases' reports into its last
    // line); `npm test` names one file per phase with --outputFile.json.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".ci/test-report.json" },
    projects: [
      { extends: true, test: { name: "cold", include: [COLD], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "main", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, COLD], sequence: { groupOrder: 1 } } },
    ],
  },
});
