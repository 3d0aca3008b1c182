/**
 * Every step kind that does work stops at its plan limit and fails naming it: the limit in
 * plan.json is the one the executor enforces. Each step below would otherwise never end (a
 * command that sleeps forever, an API call that never answers, a server that never gets ready,
 * load that never finishes).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckSpec } from "../../src/analysis/verdict.js";
import { processCommandRunner } from "../../src/core/commands.js";
import { executePlan } from "../../src/engine/executor.js";
import type { KubeObject, Step } from "../../src/plan/steps.js";
import { childProcessLauncher } from "../../src/engine/processes.js";
import type { RunPlanWithCluster } from "../../src/engine/run-plan.js";
import { LoadProfile, type LoadResult } from "../../src/load/profile.js";
import { fakeEnv, fakeKube } from "./fakes.js";

const LIMIT_MS = 700;
const hang = (): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "hang", namespace: "ns" } });
const forever = [process.execPath, "-e", "setInterval(() => {}, 1000)"];
const probe = LoadProfile.parse({ name: "probe", executor: "constant-arrival-rate", rate: 10, durationSeconds: 0.2, mode: "plain" });
const check = CheckSpec.parse({ type: "proportion", id: "share", claim: "10% reach the canary", numerator: { version: "canary" }, expected: 0.1, toleranceAbsolute: 0.05 });

function planWith(step: Step): RunPlanWithCluster {
  return {
    schemaVersion: 1,
    runId: "r1",
    createdAt: "2026-01-01T00:00:00Z",
    command: "scenario",
    name: "limits",
    options: {},
    cluster: { name: "kind", description: "test cluster", context: "kind-test", setup: [], teardown: [] },
    targetUrls: { fake: "http://llm" },
    targets: [{ mesh: "fake", meshVersion: "1", routing: "native", cluster: "kind", setup: [], scenarios: [{ scenario: "limits", description: "d", claims: ["c"], requires: [], phases: [{ name: "assess", steps: [step] }] }], teardown: [] }],
  };
}

/**
 * An API server that never answers the one call under test (an apply's undo, a delete, runs
 * afterwards under its own limit and must not hang the test), and never calls anything ready.
 */
function stuckKube(stuck: string) {
  const kube = fakeKube();
  const never = () => new Promise<void>(() => undefined);
  return {
    ...kube,
    apply: async (objects: readonly KubeObject[]) => (stuck === "apply" ? never() : kube.apply(objects)),
    delete: async (objects: readonly KubeObject[]) => (stuck === "delete" ? never() : kube.delete(objects)),
    ready: async () => "not rolled out yet",
  };
}

/** Load that only ends when it is stopped. */
const endlessLoad = {
  run: (_: LoadProfile, opts: { signal: AbortSignal }) =>
    new Promise<LoadResult>((_resolve, reject) => opts.signal.addEventListener("abort", () => reject(opts.signal.reason), { once: true })),
};

const steps: Record<string, Step> = {
  command: { kind: "command", id: "s", name: "a command that never ends", timeoutMs: LIMIT_MS, argv: forever },
  collect: { kind: "collect", id: "s", name: "evidence that never comes", timeoutMs: LIMIT_MS, argv: forever, file: "evidence/x.txt" },
  apply: { kind: "apply", id: "s", name: "an apply the API never answers", timeoutMs: LIMIT_MS, manifests: [hang()] },
  delete: { kind: "delete", id: "s", name: "a delete the API never answers", timeoutMs: LIMIT_MS, manifests: [hang()] },
  process: { kind: "process", id: "s", name: "a server that never gets ready", timeoutMs: LIMIT_MS, role: "stuck", argv: forever, readyUrl: "http://127.0.0.1:9/ready" },
  wait: { kind: "wait", id: "s", name: "a rollout that never completes", timeoutMs: LIMIT_MS, intervalMs: 100, consecutive: 1, condition: { type: "rollout", namespace: "ns", kind: "Deployment", name: "llm" } },
  measure: { kind: "measure", id: "s", name: "load that never finishes", timeoutMs: LIMIT_MS, load: probe, checks: [check], maxBatches: 3 },
  converge: { kind: "converge", id: "s", name: "a probe that never finishes", timeoutMs: LIMIT_MS, probe, checks: [check], windows: 2 },
};

describe("every step kind stops at its plan limit", () => {
  const run = async (kind: string, step: Step) => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-limits-"));
    const env = fakeEnv({ commands: processCommandRunner, processes: childProcessLauncher, kube: stuckKube(kind), load: endlessLoad, runDir });
    const result = await executePlan(planWith(step), env);
    return { runDir, record: result.targets[0]!.scenarios[0]!.steps.find((s) => s.id === "s") };
  };

  for (const [kind, step] of Object.entries(steps).filter(([k]) => k !== "collect")) {
    it(`${kind}: fails naming the limit instead of running on`, async () => {
      const { record } = await run(kind, step);
      expect(record?.status, JSON.stringify(record)).toBe("failed");
      expect(record?.error ?? JSON.stringify(record)).toMatch(/timed out|within|did not answer/);
    }, 60_000);
  }

  // Evidence is best effort: a collection past its limit is stopped and says so in its file,
  // and the run goes on to the next piece of evidence.
  it("collect: stops at the limit and writes that it timed out into the evidence file", async () => {
    const { runDir, record } = await run("collect", steps.collect!);
    expect(record?.status).toBe("ok");
    expect(readFileSync(path.join(runDir, "evidence/x.txt"), "utf8")).toMatch(/exited 124[\s\S]*timed out after 700ms/);
  }, 60_000);

  it("gate and unsupported steps do no work of their own, so they need no limit", () => {
    const kinds: Step["kind"][] = ["command", "collect", "apply", "delete", "process", "wait", "measure", "converge", "gate", "unsupported"];
    expect(kinds.filter((k) => !(k in steps))).toEqual(["gate", "unsupported"]);
  });
});
