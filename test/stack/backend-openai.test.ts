/**
 * --backend openai for real: an llm-sim this test starts on loopback plays "an endpoint the user
 * runs". A plan's measure step is run through the real executor and load generator with the
 * options `--cluster local --mesh none --backend openai --backend-url <it>`: the load reaches the
 * endpoint (its own request counter agrees with the load generator's), the check that counts by
 * llm-sim's x-llm-version header is recorded `unsupported` with the header named, and the check
 * that needs no llm-sim header is judged. The control runs the same plan unmarked (as on
 * --backend llm-sim): the version check is then judged, so the marking is what made it unsupported.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSim, type SpawnedSim } from "../../fixtures/llm-sim/src/index.js";
import { CheckSpec } from "../../src/analysis/verdict.js";
import { backendOf, parseRunOptions } from "../../src/cli/options.js";
import { executionEnvFor } from "../../src/cli/wiring.js";
import { executePlan } from "../../src/engine/executor.js";
import type { MeasureStep } from "../../src/plan/steps.js";
import type { RunPlanWithCluster } from "../../src/engine/run-plan.js";
import { LoadProfile } from "../../src/load/profile.js";
import { markBackendGaps } from "../../src/stack/backend.js";
import { errorRateCheck, latencyCheck, shareCheck } from "../../scenarios/checks.js";
import { metricSum } from "../llm-sim/sim-client.js";
import { silentProgress } from "../engine/fakes.js";

const REQUESTS = 20;

function plan(url: string): RunPlanWithCluster {
  const step: MeasureStep = {
    kind: "measure",
    id: "probe",
    name: "send completions to the endpoint",
    timeoutMs: 120_000,
    load: LoadProfile.parse({ name: "probe", executor: "constant-arrival-rate", rate: 10, durationSeconds: REQUESTS / 10, mode: "plain", maxTokens: 2 }),
    checks: [
      CheckSpec.parse(shareCheck("version-share", "every request is answered by version external", { version: "external" }, 1)),
      CheckSpec.parse(latencyCheck("e2e-p50", "median end-to-end latency is at most 5 s", "e2e", 0.5, 5000)),
      CheckSpec.parse(errorRateCheck("errors", "at most half the requests fail", 0.5)),
    ],
    maxBatches: 1,
    // A plan names where each load step runs (buildRunPlan takes it from the stack): this host.
    runsIn: { type: "host" },
  };
  return {
    schemaVersion: 1,
    runId: "openai-backend",
    createdAt: new Date().toISOString(),
    command: "scenario",
    name: "probe",
    options: {},
    cluster: { name: "local", description: "local", context: undefined, setup: [], teardown: [] },
    targetUrls: { none: url },
    targets: [{ mesh: "none", meshVersion: "-", routing: "native", cluster: "local", setup: [], scenarios: [{ scenario: "probe", description: "d", claims: ["c"], requires: [], phases: [{ name: "setup", steps: [] }, { name: "assess", steps: [step] }, { name: "teardown", steps: [] }] }], teardown: [] }],
  };
}

describe("--backend openai against an endpoint on loopback", () => {
  let sim: SpawnedSim;
  let runDir: string;
  beforeAll(async () => {
    sim = await spawnSim(["--port", "0", "--host", "127.0.0.1", "--version", "external", "--ttft-ms", "5", "--itl-ms", "1"]);
    runDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-openai-backend-"));
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  async function run(marked: boolean) {
    const opts = parseRunOptions({ cluster: "local", mesh: "none", backend: "openai", backendUrl: sim.url });
    const backend = backendOf(opts);
    const p = plan(backend.name === "openai" ? backend.url : "");
    if (marked) markBackendGaps(p, backend);
    const result = await executePlan(p, await executionEnvFor(p, opts, path.join(runDir, marked ? "marked" : "control"), new AbortController().signal, silentProgress()));
    if (result.aborted) throw result.aborted;
    return result.targets[0]!.scenarios[0]!;
  }

  it("sends the load to the endpoint and records the version check unsupported, naming the header", async () => {
    const before = metricSum(await (await fetch(`${sim.url}/metrics`)).text(), "llmsim_requests_total");
    const record = await run(true);
    const served = (metricSum(await (await fetch(`${sim.url}/metrics`)).text(), "llmsim_requests_total")) - before;
    const verdicts = Object.fromEntries(record.verdicts.map((v) => [v.checkId, v]));
    expect(verdicts["version-share"]?.status).toBe("unsupported");
    expect(JSON.stringify(verdicts["version-share"])).toMatch(/x-llm-version/);
    expect(verdicts["e2e-p50"]?.status).toBe("pass");
    expect(verdicts["errors"]?.status).not.toBe("unsupported");
    const step = record.steps.find((s) => s.id === "backend-openai-unsupported-1");
    expect(step?.status).toBe("unsupported");
    // Every request the load generator sent was answered by the endpoint the user named.
    expect(served).toBeGreaterThanOrEqual(REQUESTS - 1);
  }, 180_000);

  it("control: unmarked, the same version check is judged on llm-sim's header", async () => {
    const record = await run(false);
    const version = record.verdicts.find((v) => v.checkId === "version-share");
    expect(version?.status).not.toBe("unsupported");
    expect(["pass", "inconclusive"]).toContain(version?.status);
  }, 180_000);
});
