/**
 * Mutants on the install their scenario used (`--mutants`), with fakes: a fake mesh whose
 * traffic follows the last applied policy once that policy's propagation delay has passed on a
 * fake clock (each probe window advances it by the window's length plus 1 s of start-up). The correct scenario keeps
 * its plan's convergence limit; a mutant's aimed step stops at a limit derived from the time its
 * correct twin took there, and only on a window that still disagrees with the claim.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckSpec } from "../../src/analysis/verdict.js";
import type { KubeClient } from "../../src/cluster/kube.js";
import { executePlan } from "../../src/engine/executor.js";
import type { KubeObject, MutantPlan, ScenarioPlan, Step } from "../../src/plan/steps.js";
import type { RunPlanWithCluster } from "../../src/engine/run-plan.js";
import { MUTANT_CONVERGENCE, TIMEOUTS } from "../../src/core/timeouts.js";
import { LoadProfile } from "../../src/load/profile.js";
import { fakeEnv, loadResult } from "./fakes.js";

const WINDOW_S = 5;
const probe = LoadProfile.parse({ name: "conv-probe", executor: "constant-arrival-rate", rate: 100, durationSeconds: WINDOW_S, mode: "plain" });
const shareCheck = CheckSpec.parse({ type: "proportion", id: "conv-share", claim: "10% reach the canary", numerator: { version: "canary" }, expected: 0.1, toleranceAbsolute: 0.1, falseFailure: 1e-3, falsePass: 1e-2, maxSamples: 2000 });

/** A policy object the fake mesh reads: the canary share it asks for and how long it takes to show. */
function policy(share: number, delayMs: number): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "split", namespace: "ns", annotations: { share: String(share), delayMs: String(delayMs) } } };
}

function scenarioPlan(share: number, delayMs: number): ScenarioPlan {
  const steps: Step[] = [
    { kind: "apply", id: "split", name: "apply the split", timeoutMs: TIMEOUTS.apply, manifests: [policy(share, delayMs)] },
    { kind: "converge", id: "conv", name: "the split shows in traffic", timeoutMs: TIMEOUTS.convergence, probe, checks: [shareCheck], windows: 2 },
  ];
  return { scenario: "canary", description: "d", claims: ["c"], requires: ["split"], phases: [{ name: "setup", steps: [] }, { name: "assess", steps }, { name: "teardown", steps: [] }] };
}

function mutantPlan(name: string, share: number, delayMs: number): MutantPlan {
  return { mutant: { name, scenario: "canary", wrong: `a ${share * 100}% split`, aimedAt: "conv-share", kind: "mesh-config" }, aimedStep: "conv", plan: scenarioPlan(share, delayMs) };
}

function runPlan(correct: ScenarioPlan, mutants: MutantPlan[]): RunPlanWithCluster {
  return {
    schemaVersion: 1,
    runId: "r1",
    createdAt: "2026-01-01T00:00:00Z",
    command: "suite",
    name: "s",
    options: {},
    cluster: { name: "kind", description: "test", context: "kind-test", setup: [], teardown: [] },
    targetUrls: { fake: "http://llm" },
    targets: [{ mesh: "fake", meshVersion: "1", routing: "native", cluster: "kind", setup: [], scenarios: [correct], mutants, teardown: [] }],
  };
}

/** Before any split (or once it is deleted) every request reaches the canary. */
const UNSPLIT = 1;

/** The fake mesh: traffic follows the last applied policy once its delay has passed; none applied (or deleted) is UNSPLIT. */
function fakeMesh() {
  let now = 0;
  let current = { share: UNSPLIT, from: 0 };
  let previous = UNSPLIT;
  const deleted: number[] = [];
  const kube: KubeClient = {
    async apply(objects) {
      const p = objects.find((o) => o.metadata.name === "split");
      if (!p) return;
      previous = shareAt(now);
      current = { share: Number(p.metadata.annotations!.share), from: now + Number(p.metadata.annotations!.delayMs) };
    },
    async delete(objects) {
      if (!objects.some((o) => o.metadata.name === "split")) return;
      deleted.push(now);
      previous = UNSPLIT;
      current = { share: UNSPLIT, from: now };
    },
    async ready() {
      return true;
    },
  };
  const shareAt = (t: number) => (t >= current.from ? current.share : previous);
  const load = {
    async run(profile: LoadProfile) {
      const share = shareAt(now);
      now += profile.durationSeconds * 1000 + 1000;
      const canary = Math.round(2000 * share);
      return loadResult(profile, [
        { version: "stable", status: 200, count: 2000 - canary },
        { version: "canary", status: 200, count: canary },
      ]);
    },
  };
  return { kube, load, clock: () => now, deleted };
}

const runDir = () => mkdtempSync(path.join(os.tmpdir(), "meshproof-mutants-"));

async function run(correct: ScenarioPlan, mutants: MutantPlan[]) {
  const mesh = fakeMesh();
  const result = await executePlan(runPlan(correct, mutants), fakeEnv({ kube: mesh.kube, load: mesh.load, clock: mesh.clock, runDir: runDir() }));
  return { target: result.targets[0]!, deleted: mesh.deleted };
}

describe("mutants on the scenario's own install", () => {
  it("runs each mutant after its scenario, judges it, and stops a killed one at 3 x the correct twin's time to converge", async () => {
    // The correct split shows after 20 s: its first agreeing window (6 s each) is judged at 30 s.
    const { target } = await run(scenarioPlan(0.1, 20_000), [mutantPlan("even-split", 0.5, 20_000)]);
    expect(target.scenarios[0]!.status).toBe("pass");
    const correctStep = target.scenarios[0]!.steps.find((s) => s.id === "conv")!;
    expect(correctStep.convergence).toMatchObject({ converged: true, timeToConvergeMs: 30_000 });
    expect(correctStep.convergence?.limitMs).toBeUndefined();

    const [m] = target.mutants!;
    expect(m).toMatchObject({ name: "even-split", status: "killed", aimedStep: "conv" });
    const aimed = m!.run.steps.find((s) => s.id === "conv")!;
    // 3 x 30 s = 90 s, half the plan's 3 min: the wait ends at the first disagreeing window past it.
    expect(MUTANT_CONVERGENCE.factor * 30_000).toBe(90_000);
    expect(aimed.convergence).toMatchObject({ converged: false, limitMs: 90_000 });
    expect(aimed.convergence?.limitReason).toMatch(/^1m30s, 3 x the 30s the correct configuration took at this step on this install \(the plan's limit is 3m\)$/);
    expect(aimed.verdicts?.[0]).toMatchObject({ checkId: "conv-converged", status: "fail", claim: expect.stringMatching(/within 1m30s$/), reason: expect.stringMatching(/^did not converge within 1m30s, 3 x the 30s/) });
    expect(m!.reason).toMatch(/did not converge within 1m30s/);
    // 15 windows of 6 s reach 90 s; the plan's limit would have drawn 30.
    expect(aimed.convergence!.misses.length).toBe(15);
  });

  it("never shortens a correct scenario: a correct but slow mesh converging after 2.5 min passes under the plan's 3 min", async () => {
    // Far past any mutant limit a fast twin would give (the 45 s floor): the correct scenario still passes.
    const { target } = await run(scenarioPlan(0.1, 150_000), [mutantPlan("even-split", 0.5, 150_000)]);
    expect(target.scenarios[0]!.status).toBe("pass");
    expect(target.scenarios[0]!.steps.find((s) => s.id === "conv")!.convergence).toMatchObject({ converged: true, timeToConvergeMs: 156_000 });
    // 3 x 156 s is past the plan's limit: the mutant gets the plan's limit, no shortcut.
    const aimed = target.mutants![0]!.run.steps.find((s) => s.id === "conv")!;
    expect(aimed.convergence?.limitMs).toBeUndefined();
    expect(aimed.verdicts?.[0]?.claim).toMatch(/within 3m$/);
    expect(target.mutants![0]!.status).toBe("killed");
  });

  it("a fast twin gives the floor, not less", async () => {
    const { target } = await run(scenarioPlan(0.1, 0), [mutantPlan("even-split", 0.5, 0)]);
    const aimed = target.mutants![0]!.run.steps.find((s) => s.id === "conv")!;
    expect(aimed.convergence?.limitMs).toBe(MUTANT_CONVERGENCE.floorMs);
    expect(aimed.convergence?.limitReason).toMatch(/^45s, the floor, as 3 x the 6.0s the correct configuration took/);
  });

  it("a mutant that is right after all survives even when it shows later than the derived limit, as long as its windows agree there", async () => {
    // The twin converges at 6 s, so the limit is the 45 s floor. An equivalent mutant (the same
    // 10% split) shows after 40 s: its window judged at 42 s still disagrees, the one judged at
    // 48 s, the first past the limit, agrees, so the wait goes on and it converges. The wrong
    // twin, a plain 45 s limit (maxMs), times it out at 48 s ("too slow") and calls it killed.
    const { target } = await run(scenarioPlan(0.1, 0), [mutantPlan("equivalent", 0.1, 40_000)]);
    const m = target.mutants![0]!;
    expect(m.status).toBe("survived");
    const aimed = m.run.steps.find((s) => s.id === "conv")!;
    expect(aimed.convergence).toMatchObject({ converged: true, limitMs: TIMEOUTS.convergence });
    expect(aimed.convergence?.limitReason).toMatch(/windows agreed at that limit, so the wait went on to the plan's 3m/);
  });

  it("a mutant whose correct twin failed its aimed check is not run, and is not judged (a failure on both proves nothing)", async () => {
    // The correct configuration never shows (the fake mesh ignores it for longer than the limit).
    const { target } = await run(scenarioPlan(0.1, 10 * 60_000), [mutantPlan("even-split", 0.5, 0)]);
    expect(target.scenarios[0]!.status).toBe("fail");
    const m = target.mutants![0]!;
    expect(m).toMatchObject({ status: "not-judged", reason: expect.stringMatching(/^not run: its correct twin did not pass conv-share on this install \(conv did not converge/) });
    expect(m.run.steps).toEqual([]);
  });

  it("the mutant's policy is removed before the next one runs: every mutant starts from the install its scenario left", async () => {
    const { target, deleted } = await run(scenarioPlan(0.1, 0), [mutantPlan("first", 0.5, 0), mutantPlan("second", 0.1, 0)]);
    expect(target.mutants!.map((m) => `${m.name}:${m.status}`)).toEqual(["first:killed", "second:survived"]);
    // The scenario's policy, then each mutant's, removed at the end of its own run.
    expect(deleted).toHaveLength(3);
  });
});
