import { describe, expect, it } from "vitest";
import { CheckSpec, planCheck } from "../../src/analysis/index.js";
import { INTENT_KINDS } from "../../src/mesh/intent.js";
import { MESHES } from "../../src/mesh/registry.js";
import { findScenario, SCENARIOS } from "../../scenarios/index.js";
import { samplesNeeded } from "../../scenarios/sizing.js";
import { allSteps, contextFor, fakeDriver, judgingSteps, measureSteps, plan } from "./helpers.js";

const cases = SCENARIOS.flatMap((s) => MESHES.meshesFor(s).map((mesh) => ({ scenario: s, mesh, label: `${s.name} on ${mesh}` })));

describe("the scenario catalog", () => {
  it("has every scenario the issue asks for, once, found by name", () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ["canary", "header-routing", "fault-injection", "retries", "timeouts", "circuit-breaking", "mtls", "authz", "rate-limit", "benchmark", "upgrade"]) {
      expect(findScenario(name)?.name).toBe(name);
    }
    expect(findScenario("canery")).toBeUndefined();
  });

  it("declares claims, intents and clusters for every scenario, and a first sentence for the help text", () => {
    for (const s of SCENARIOS) {
      expect(s.claims.length, s.name).toBeGreaterThan(0);
      expect(s.clusters.length, s.name).toBeGreaterThan(0);
      expect(s.description.split(". ")[0]!.length, s.name).toBeLessThan(130);
      // `local` has no Kubernetes and so no mesh: only a scenario the baseline joins may claim it.
      if (s.clusters.includes("local")) expect(s.baseline, s.name).toBe(true);
    }
  });

  it("runs the benchmark on every mesh and cluster, with the baseline", () => {
    const benchmark = findScenario("benchmark")!;
    expect(MESHES.meshesFor(benchmark)).toEqual(["none", "istio", "linkerd"]);
    // The only scenario the baseline joins: no policy to judge without a mesh.
    expect(SCENARIOS.filter((s) => s.baseline).map((s) => s.name)).toEqual(["benchmark"]);
    expect([...benchmark.clusters].sort()).toEqual(["current", "gke", "host", "kind", "local"]);
  });
});

describe.each(cases)("$label", ({ scenario, mesh }) => {
  const p = plan(scenario, contextFor(mesh));
  const steps = allSteps(p);

  it("plans, with at least one step that judges something", () => {
    expect(p.scenario).toBe(scenario.name);
    expect(judgingSteps(p).length).toBeGreaterThan(0);
  });

  it("gives every step a unique id, a sentence for a name and a time limit", () => {
    const ids = steps.map((s) => s.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const s of steps) {
      expect(s.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(s.name.split(" ").length, s.id).toBeGreaterThan(2);
      if (s.kind !== "unsupported") expect(s.timeoutMs, s.id).toBeGreaterThan(0);
    }
  });

  it("gives every measure and convergence step checks and the intents they depend on", () => {
    for (const s of judgingSteps(p)) {
      expect(s.checks.length, s.id).toBeGreaterThan(0);
      expect(Array.isArray(s.requires), `${s.id} declares requires`).toBe(true);
      for (const kind of s.requires ?? []) {
        expect(INTENT_KINDS, s.id).toContain(kind);
        expect(scenario.requires, `${s.id} depends on ${kind}, which the scenario does not declare`).toContain(kind);
      }
    }
  });

  it("gives every check a unique id", () => {
    const ids = judgingSteps(p).flatMap((s) => s.checks.map((c) => c.id));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("states every claim as a statistical check the planner can size (no raw ratio against a threshold)", () => {
    for (const s of judgingSteps(p)) {
      for (const check of s.checks) {
        expect(() => CheckSpec.parse(check), check.id).not.toThrow();
        expect(["proportion", "latency", "latency-share"]).toContain(check.type);
        expect(check.claim.length, check.id).toBeGreaterThan(10);
        const planned = planCheck(check);
        expect(planned.maxSamples, check.id).toBeGreaterThan(0);
        expect(planned.falseFailure, check.id).toBeLessThanOrEqual(1e-3);
      }
    }
  });

  it("lets each measure step draw what its checks may need", () => {
    for (const s of measureSteps(p)) {
      expect(s.expectedSeconds, s.id).toBeGreaterThan(0);
      if (s.maxBatches === 1) continue; // a fixed batch: its checks carry their own budget
      const perFirstBatch = s.load.rate * s.load.durationSeconds;
      const reachable = perFirstBatch * (1 + 2 * (s.maxBatches - 1));
      // Checks whose denominator is a subset are sized by their scenario; the rest must fit.
      const plain = s.checks.filter((c) => c.type !== "proportion" || Object.keys(c.denominator).length === 0);
      expect(reachable, s.id).toBeGreaterThanOrEqual(samplesNeeded(plain).max);
    }
  });

  it("gates only on a measure step that runs before the gate", () => {
    for (const phase of p.phases) {
      phase.steps.forEach((s, i) => {
        if (s.kind !== "gate") return;
        const earlier = phase.steps.slice(0, i).find((e) => e.id === s.after);
        expect(earlier?.kind, `${s.id} gates on ${s.after}`).toBe("measure");
        expect(s.onFail.length, s.id).toBeGreaterThan(0);
      });
    }
  });

  it("labels and places every object it applies like the rest of the run", () => {
    for (const s of steps) {
      if (s.kind !== "apply" && s.kind !== "delete") continue;
      for (const m of s.manifests) {
        expect(m.metadata.labels?.["app.kubernetes.io/managed-by"], `${s.id}: ${m.kind}/${m.metadata.name}`).toBe("meshproof");
        expect(m.metadata.labels?.["meshproof.dev/run-id"], `${s.id}: ${m.kind}/${m.metadata.name}`).toBe("test-run");
      }
    }
  });
});

describe("requires matches what each scenario applies", () => {
  it.each(SCENARIOS.filter((s) => MESHES.meshesFor(s).some((m) => m !== "none")))("$name depends only on intents it applies", (scenario) => {
    const driver = fakeDriver("linkerd");
    const p = plan(scenario, contextFor("linkerd", driver));
    const applied = new Set(driver.rendered.map((i) => i.kind));
    for (const s of judgingSteps(p)) for (const kind of s.requires ?? []) expect(applied, `${s.id} requires ${kind}`).toContain(kind);
    for (const kind of scenario.requires) expect(applied, `${scenario.name} declares ${kind}`).toContain(kind);
  });

  it.each(SCENARIOS.filter((s) => s.requires.length > 0))("$name marks its dependent checks unsupported on a mesh that cannot express its intents", (scenario) => {
    const p = plan(scenario, contextFor("linkerd", fakeDriver("linkerd", INTENT_KINDS)));
    const gaps = allSteps(p).filter((s) => s.kind === "unsupported");
    expect(gaps.length).toBeGreaterThan(0);
    const marked = new Set(gaps.flatMap((g) => (g.kind === "unsupported" ? g.checks : [])));
    for (const s of judgingSteps(p)) {
      const dependent = (s.requires ?? []).length > 0;
      for (const c of s.checks) expect(marked.has(c.id), `${s.id}/${c.id}`).toBe(dependent);
    }
  });
});
