/**
 * Runs one planned step through the real executor (executePlan, its batching and its gates) with
 * a load runner that answers each batch from a script: how the Monte Carlo and scenario-verdict
 * tests drive the executor's path instead of a check alone.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Verdict } from "../../src/analysis/verdict.js";
import { executePlan, type LoadRunner } from "../../src/engine/executor.js";
import type { Step } from "../../src/plan/steps.js";
import type { RunPlanWithCluster } from "../../src/engine/run-plan.js";
import type { LoadProfile, OutcomeCount } from "../../src/load/profile.js";
import type { ScenarioRecord } from "../../src/report/results.js";
import { fakeEnv, loadResult } from "./fakes.js";

export const RUN_DIR = mkdtempSync(path.join(os.tmpdir(), "meshproof-measure-"));

export function onePlan(steps: Step[]): RunPlanWithCluster {
  return {
    schemaVersion: 1,
    runId: "r1",
    createdAt: "2026-01-01T00:00:00Z",
    command: "scenario",
    name: "probe",
    options: {},
    cluster: { name: "local", description: "test", context: "none", setup: [], teardown: [] },
    targetUrls: {},
    targets: [
      {
        mesh: "fake",
        meshVersion: "1",
        routing: "native",
        cluster: "local",
        setup: [],
        scenarios: [{ scenario: "probe", description: "d", claims: ["c"], requires: [], phases: [{ name: "setup", steps: [] }, { name: "assess", steps }, { name: "teardown", steps: [] }] }],
        teardown: [],
      },
    ],
  };
}

/** Requests a batch of this profile delivers: rate x duration, as an arrival-rate executor would. */
export function requestsOf(profile: LoadProfile): number {
  return Math.round(profile.rate * profile.durationSeconds);
}

/** A load runner answering every batch from `respond`, recording how many requests each drew. */
export function scriptedLoad(respond: (requests: number, profile: LoadProfile) => OutcomeCount[]): LoadRunner & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    async run(profile) {
      const n = requestsOf(profile);
      batches.push(n);
      return loadResult(profile, respond(n, profile));
    },
  };
}

export async function runSteps(steps: Step[], load: LoadRunner): Promise<ScenarioRecord> {
  const result = await executePlan(onePlan(steps), fakeEnv({ load, kube: undefined, runDir: RUN_DIR }));
  if (result.aborted) throw result.aborted;
  return result.targets[0]!.scenarios[0]!;
}

export function byId(verdicts: readonly Verdict[]): Record<string, Verdict> {
  return Object.fromEntries(verdicts.map((v) => [v.checkId, v]));
}
