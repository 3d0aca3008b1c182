import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CheckSpec } from "../../src/analysis/verdict.js";
import { executePlan } from "../../src/engine/executor.js";
import type { KubeObject, MeasureStep, Step } from "../../src/plan/steps.js";
import type { RunPlanWithCluster } from "../../src/engine/run-plan.js";
import { LoadProfile } from "../../src/load/profile.js";
import { fakeCommands, fakeEnv, fakeKube, fakeLoad, silentProgress } from "./fakes.js";
import { ToolMissingError } from "../../src/core/tools.js";

const obj = (kind: string, name: string): KubeObject => ({ apiVersion: "v1", kind, metadata: { name, namespace: "ns" } });

const load = LoadProfile.parse({ name: "split", executor: "constant-arrival-rate", rate: 100, durationSeconds: 60, mode: "plain" });
const splitCheck = CheckSpec.parse({
  type: "proportion",
  id: "canary-share",
  claim: "10% of requests reach the canary",
  numerator: { version: "canary" },
  expected: 0.1,
  toleranceAbsolute: 0.02,
});

function measure(id: string): MeasureStep {
  return { kind: "measure", id, name: "measure the split", timeoutMs: 600_000, load, checks: [splitCheck], maxBatches: 6 };
}

function plan(assess: Step[]): RunPlanWithCluster {
  return {
    schemaVersion: 1,
    runId: "r1",
    createdAt: "2026-01-01T00:00:00Z",
    command: "scenario",
    name: "canary",
    options: {},
    cluster: {
      name: "kind",
      description: "test cluster",
      context: "kind-test",
      setup: [
        { kind: "command", id: "create", name: "create cluster", timeoutMs: 1000, argv: ["kind", "create", "cluster"], skipIf: ["kind", "get", "kubeconfig"], undo: [{ kind: "command", id: "delete", name: "delete cluster", timeoutMs: 1000, argv: ["kind", "delete", "cluster"] }] },
      ],
      teardown: [],
    },
    targetUrls: { fake: "http://llm" },
    targets: [
      {
        mesh: "fake",
        meshVersion: "1",
        routing: "native",
        cluster: "kind",
        setup: [{ kind: "apply", id: "stack", name: "deploy the stack", timeoutMs: 1000, manifests: [obj("Deployment", "llm")] }],
        scenarios: [{ scenario: "canary", description: "d", claims: ["c"], requires: ["split"], phases: [{ name: "setup", steps: [] }, { name: "assess", steps: assess }, { name: "teardown", steps: [] }] }],
        teardown: [{ kind: "collect", id: "events", name: "save events", timeoutMs: 1000, argv: ["kubectl", "get", "events"], file: "evidence/events.yaml" }],
      },
    ],
  };
}

const runDir = () => mkdtempSync(path.join(os.tmpdir(), "meshproof-exec-"));

describe("executePlan", () => {
  it("judges a good split as pass and cleans up LIFO: policy, then stack, then cluster", async () => {
    const kube = fakeKube();
    const commands = fakeCommands((argv) => ({ exitCode: argv.join(" ") === "kind get kubeconfig" ? 1 : 0 }));
    const good = fakeLoad((p) => [
      { version: "stable", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.9) },
      { version: "canary", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.1) },
    ]);
    const result = await executePlan(
      plan([{ kind: "apply", id: "split", name: "shift 10%", timeoutMs: 1000, manifests: [obj("VirtualService", "llm")] }, measure("m")]),
      fakeEnv({ kube, commands, load: good, runDir: runDir() }),
    );
    expect(result.aborted).toBeUndefined();
    const scenario = result.targets[0]!.scenarios[0]!;
    expect(scenario.verdicts.map((v) => v.status)).toEqual(["pass"]);
    expect(scenario.status).toBe("pass");
    expect(kube.deleted).toEqual(["VirtualService/llm", "Deployment/llm"]);
    // Evidence is collected before the stack is deleted; the cluster goes last.
    expect(commands.calls).toEqual(["kind get kubeconfig", "kind create cluster", "kubectl get events", "kind delete cluster"]);
    // Every undo is recorded as a teardown step of results.json, where it ran.
    const undone = (steps: { kind: string; name: string; status: string }[]) => steps.filter((st) => st.kind === "cleanup").map((st) => `${st.name}: ${st.status}`);
    expect(undone(scenario.steps)).toHaveLength(1);
    expect(undone(scenario.steps)[0]).toMatch(/shift 10%.*: ok$/);
    expect(undone(result.targets[0]!.teardown)).toHaveLength(1);
    expect(undone(result.targets[0]!.teardown)[0]).toMatch(/deploy the stack.*: ok$/);
  });

  it("sends each step's load from the client the plan names for it", async () => {
    const good = fakeLoad((p) => [
      { version: "stable", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.9) },
      { version: "canary", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.1) },
    ]);
    const meshed = { type: "pod", context: "kind-test", namespace: "ns", pod: "deploy/loadgen", container: "loadgen" } as const;
    const outsider = { ...meshed, namespace: "ns-outsider", pod: "deploy/outsider" };
    const asked: unknown[] = [];
    await executePlan(
      plan([{ ...measure("from-meshed"), runsIn: meshed }, { ...measure("from-outsider"), runsIn: outsider }]),
      fakeEnv({ runDir: runDir(), loadFor: (mesh, client) => (asked.push([mesh, client]), good) }),
    );
    expect(asked).toEqual([["fake", meshed], ["fake", outsider]]);
  });

  it("runs the gate's rollback branch when a check fails, and stops the scenario there", async () => {
    const kube = fakeKube();
    const bad = fakeLoad((p) => [
      { version: "stable", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.5) },
      { version: "canary", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.5) },
    ]);
    const rollback: Step = { kind: "apply", id: "rollback", name: "send everything to stable", timeoutMs: 1000, manifests: [obj("VirtualService", "all-stable")] };
    const after: Step = { kind: "apply", id: "next", name: "shift 25%", timeoutMs: 1000, manifests: [obj("VirtualService", "25")] };
    const progress = silentProgress();
    const result = await executePlan(
      plan([measure("m"), { kind: "gate", id: "g", name: "gate", timeoutMs: 1000, after: "m", action: "roll back to stable", onFail: [rollback] }, after]),
      fakeEnv({ kube, load: bad, progress, runDir: runDir() }),
    );
    const scenario = result.targets[0]!.scenarios[0]!;
    expect(scenario.status).toBe("fail");
    expect(kube.applied).toContain("VirtualService/all-stable");
    expect(kube.applied).not.toContain("VirtualService/25");
    expect(progress.notes.some((n) => n.includes("roll back to stable"))).toBe(true);
  });

  it("closes the gate when a check could not decide, unless the scenario accepts that", async () => {
    // 11% to the canary: inside the band but near its edge, so with one batch the check stays undecided.
    const edge = fakeLoad((p) => [
      { version: "stable", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.89) },
      { version: "canary", status: 200, count: Math.round(p.rate * p.durationSeconds * 0.11) },
    ]);
    const oneBatch: MeasureStep = { ...measure("m"), load: { ...load, durationSeconds: 1 }, maxBatches: 1 };
    const rollback: Step = { kind: "apply", id: "rollback", name: "send everything to stable", timeoutMs: 1000, manifests: [obj("VirtualService", "all-stable")] };
    const after: Step = { kind: "apply", id: "next", name: "shift 25%", timeoutMs: 1000, manifests: [obj("VirtualService", "25")] };
    const gate = (advanceOnInconclusive: boolean): Step => ({ kind: "gate", id: "g", name: "gate", timeoutMs: 1000, after: "m", action: "roll back", onFail: [rollback], ...(advanceOnInconclusive ? { advanceOnInconclusive } : {}) });
    for (const advance of [false, true]) {
      const kube = fakeKube();
      const result = await executePlan(plan([oneBatch, gate(advance), after]), fakeEnv({ kube, load: edge, runDir: runDir() }));
      const scenario = result.targets[0]!.scenarios[0]!;
      expect(scenario.verdicts.map((v) => v.status)).toEqual(["inconclusive"]);
      expect(kube.applied.includes("VirtualService/all-stable")).toBe(!advance);
      expect(kube.applied.includes("VirtualService/25")).toBe(advance);
      if (!advance) expect(scenario.steps.find((s) => s.id === "g")!.error).toMatch(/inconclusive/);
    }
  });

  it("marks checks of an intent the mesh cannot express unsupported, without driving load", async () => {
    const load = fakeLoad(() => []);
    const result = await executePlan(
      plan([{ kind: "unsupported", id: "u", name: "fault is not supported", timeoutMs: 0, intent: "fault", reason: "no fault filter", checks: ["canary-share"] }, measure("m")]),
      fakeEnv({ load, runDir: runDir() }),
    );
    const scenario = result.targets[0]!.scenarios[0]!;
    expect(scenario.verdicts).toMatchObject([{ status: "unsupported", reason: expect.stringContaining("no fault filter") }]);
    expect(scenario.status).toBe("unsupported");
    expect(load.runs).toEqual([]);
  });

  it("gives checks that only an unsupported step names their own unsupported verdicts, so nothing passes on zero verdicts", async () => {
    // The upgrade a driver cannot run: no load step follows, so without these verdicts the
    // scenario would read "pass" with nothing judged.
    const gap = { kind: "unsupported" as const, id: "upgrade-unsupported", name: "upgrade is not supported", timeoutMs: 0, intent: "upgrade" as const, reason: "one build only", checks: ["before-error-rate", "after-p99"], claims: { "before-error-rate": "before the upgrade, at most 2% fail" } };
    const load = fakeLoad(() => []);
    const result = await executePlan(plan([gap]), fakeEnv({ load, runDir: runDir() }));
    const scenario = result.targets[0]!.scenarios[0]!;
    expect(scenario.verdicts).toMatchObject([
      { checkId: "before-error-rate", claim: "before the upgrade, at most 2% fail", status: "unsupported", reason: expect.stringContaining("one build only") },
      // Without a claim of its own a check is described by the step that made it unsupported.
      { checkId: "after-p99", claim: "upgrade is not supported", status: "unsupported" },
    ]);
    expect(scenario.status).toBe("unsupported");
    expect(load.runs).toEqual([]);
  });

  it("with --keep leaves everything in place and says how to remove it", async () => {
    const kube = fakeKube();
    const progress = silentProgress();
    const commands = fakeCommands((argv) => ({ exitCode: argv[1] === "get" ? 1 : 0 }));
    const result = await executePlan(plan([]), fakeEnv({ kube, keep: true, progress, commands, runDir: runDir() }));
    expect(kube.deleted).toEqual([]);
    expect(commands.calls).not.toContain("kind delete cluster");
    expect(result.targets[0]!.teardown.filter((st) => st.kind === "cleanup").map((st) => [st.status, st.error])).toEqual([["skipped", "kept (--keep)"]]);
    expect(progress.notes.join("\n")).toMatch(/npm run clean/);
  });

  it("still cleans up when a setup step fails, and marks the scenarios as not run", async () => {
    const kube = fakeKube();
    kube.apply = async () => {
      throw new Error("admission webhook denied");
    };
    const commands = fakeCommands((argv) => ({ exitCode: argv[1] === "get" ? 1 : 0 }));
    const result = await executePlan(plan([]), fakeEnv({ kube, commands, runDir: runDir() }));
    expect(result.targets[0]!.scenarios[0]!.status).toBe("error");
    expect(commands.calls).toContain("kind delete cluster");
  });

  it("stops at once on interrupt and still runs the cleanup", async () => {
    const ac = new AbortController();
    ac.abort(new Error("interrupted by SIGINT"));
    const commands = fakeCommands((argv) => ({ exitCode: argv[1] === "get" ? 1 : 0 }));
    const result = await executePlan(plan([]), fakeEnv({ signal: ac.signal, commands, runDir: runDir() }));
    expect(result.aborted).toBeDefined();
    expect(commands.calls).toEqual([]);
  });
});

describe("a cluster created before an interrupt", () => {
  it("is still deleted: its undo runs on a signal of its own, not the aborted run's", async () => {
    const ac = new AbortController();
    const kube = fakeKube();
    // The interrupt lands while the target's setup applies the stack, after the cluster exists.
    kube.apply = async () => {
      ac.abort(new Error("interrupted by SIGINT"));
      throw new Error("interrupted");
    };
    const seen: { argv: string; aborted: boolean }[] = [];
    const commands = {
      async run(argv: readonly string[], opts: { signal?: AbortSignal }) {
        seen.push({ argv: argv.join(" "), aborted: opts.signal?.aborted ?? false });
        return { exitCode: argv[1] === "get" ? 1 : 0, stdout: "", stderr: "", durationMs: 1 };
      },
    };
    const result = await executePlan(plan([]), fakeEnv({ signal: ac.signal, kube, commands, runDir: runDir() }));
    expect(result.aborted).toBeDefined();
    expect(seen).toContainEqual({ argv: "kind delete cluster", aborted: false });
  });
});

describe("objects the stack owns", () => {
  it("are restored, not deleted, when a policy that re-rendered them is undone", async () => {
    const kube = fakeKube();
    const commands = fakeCommands((argv) => ({ exitCode: argv[1] === "get" ? 1 : 0 }));
    const p = plan([{ kind: "apply", id: "outlier", name: "annotate the service", timeoutMs: 1000, manifests: [obj("Deployment", "llm"), obj("HTTPRoute", "llm-outlier")] }]);
    await executePlan(p, fakeEnv({ kube, commands, runDir: runDir() }));
    // Deployment/llm belongs to the stack: re-applied when the policy goes, deleted only with the stack.
    expect(kube.deleted).toEqual(["HTTPRoute/llm-outlier", "Deployment/llm"]);
    expect(kube.applied).toEqual(["Deployment/llm", "Deployment/llm", "HTTPRoute/llm-outlier", "Deployment/llm"]);
  });
});

describe("convergence diagnosis", () => {
  const convergeTo = (id: string, share: number, maxSamples: number): Step => ({
    kind: "converge",
    id,
    name: `converge on ${share * 100}% canary`,
    // A limit far beyond what the instant fake load takes: the window count, not the clock, ends a
    // step that never converges, so a busy machine cannot change the outcome.
    timeoutMs: 60_000,
    windows: 2,
    probe: LoadProfile.parse({ name: `${id}-probe`, executor: "constant-arrival-rate", rate: 100, durationSeconds: 5, mode: "plain" }),
    // Convergence knobs and a window big enough to resolve +/-10 points (a smaller one is unresolvable).
    checks: [CheckSpec.parse({ type: "proportion", id: `${id}-share`, claim: "share", numerator: { version: "canary" }, expected: share, toleranceAbsolute: 0.1, falseFailure: 1e-3, falsePass: 1e-2, maxSamples })],
  });

  it("says the mesh never applied the change when windows keep matching the previous policy", async () => {
    // The mesh stays at 10% although 50% was applied.
    const stuck = fakeLoad(() => [
      { version: "stable", status: 200, count: 1800 },
      { version: "canary", status: 200, count: 200 },
    ]);
    const result = await executePlan(plan([convergeTo("at-10", 0.1, 2000), convergeTo("at-50", 0.5, 2000)]), fakeEnv({ load: stuck, runDir: runDir() }));
    const steps = result.targets[0]!.scenarios[0]!.steps;
    expect(steps[0]!.convergence?.diagnosis).toBe("converged");
    expect(steps[1]!.convergence?.diagnosis).toBe("never-applied");
    expect(steps[1]!.verdicts).toMatchObject([{ checkId: "at-50-converged", status: "fail", reason: expect.stringMatching(/never applied/) }]);
    expect(result.targets[0]!.scenarios[0]!.status).toBe("fail");
  });

  it("says the change applied but behaves wrongly when windows match neither policy", async () => {
    let calls = 0;
    const drifting = fakeLoad(() => {
      calls += 1;
      // First step converges at 10%; afterwards the mesh sends 80% to the canary.
      const canary = calls <= 2 ? 200 : 1600;
      return [
        { version: "stable", status: 200, count: 2000 - canary },
        { version: "canary", status: 200, count: canary },
      ];
    });
    const result = await executePlan(plan([convergeTo("at-10", 0.1, 2000), convergeTo("at-50", 0.5, 2000)]), fakeEnv({ load: drifting, runDir: runDir() }));
    expect(result.targets[0]!.scenarios[0]!.steps[1]!.convergence?.diagnosis).toBe("applied-but-wrong");
  });
});

describe("what a run's exit code is made of", () => {
  const policy = (): Step => ({ kind: "apply", id: "policy", name: "apply the policy", timeoutMs: 1000, manifests: [obj("ConfigMap", "policy")] });
  const commands = () => fakeCommands((argv) => ({ exitCode: argv[1] === "get" ? 1 : 0 }));

  it("keeps meshproof's own errors apart: a TypeError in a step is a bug, not the mesh's failure", async () => {
    const kube = fakeKube();
    const apply = kube.apply.bind(kube);
    kube.apply = async (objects: readonly KubeObject[]) => {
      if (objects.some((o) => o.kind === "ConfigMap")) throw new TypeError("Cannot read properties of undefined (reading 'spec')");
      return apply(objects);
    };
    const result = await executePlan(plan([policy()]), fakeEnv({ kube, commands: commands(), runDir: runDir() }));
    expect(result.bugs.map((e) => e.message)).toEqual(["Cannot read properties of undefined (reading 'spec')"]);
    expect(result.targets[0]!.scenarios[0]!.status).toBe("error");
  });

  it("does not count a failure the cluster reports as a bug, nor a network error fetch raises as a TypeError", async () => {
    const kube = fakeKube();
    const apply = kube.apply.bind(kube);
    kube.apply = async (objects: readonly KubeObject[]) => {
      if (objects.some((o) => o.kind === "ConfigMap")) throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
      return apply(objects);
    };
    const result = await executePlan(plan([policy()]), fakeEnv({ kube, commands: commands(), runDir: runDir() }));
    expect(result.bugs).toEqual([]);
    expect(result.targets[0]!.scenarios[0]!.status).toBe("error");
  });

  it("ends the run with a missing tool's own error when a scenario's step needs it, after cleaning up", async () => {
    const kube = fakeKube();
    const apply = kube.apply.bind(kube);
    kube.apply = async (objects: readonly KubeObject[]) => {
      if (objects.some((o) => o.kind === "ConfigMap")) throw new ToolMissingError("kubectl", "run `npm run setup`");
      return apply(objects);
    };
    const cmds = commands();
    const result = await executePlan(plan([policy()]), fakeEnv({ kube, commands: cmds, runDir: runDir() }));
    expect(result.aborted).toBeInstanceOf(ToolMissingError);
    expect((result.aborted as ToolMissingError).exitCode).toBe(4);
    expect(result.targets[0]!.scenarios.map((s) => s.status)).toEqual(["error"]);
    expect(cmds.calls).toContain("kind delete cluster");
  });

  it("records every failed undo, at every level, so results.json and the exit code can say so", async () => {
    const kube = fakeKube();
    kube.delete = async () => {
      throw new Error("the API server is gone");
    };
    const result = await executePlan(plan([policy()]), fakeEnv({ kube, commands: fakeCommands((argv) => ({ exitCode: argv[1] === "get" ? 1 : argv[1] === "delete" ? 1 : 0 })), runDir: runDir() }));
    expect(result.targets[0]!.scenarios[0]!.status).toBe("pass");
    expect(result.cleanupFailures).toEqual([
      expect.stringMatching(/^fake \/ canary: .*policy.*: the API server is gone$/),
      expect.stringMatching(/^fake: .*stack.*: the API server is gone$/),
      expect.stringMatching(/^cluster: undo: create cluster: .*kind delete cluster.* exited 1/),
    ]);
  });
});
