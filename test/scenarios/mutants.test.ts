/**
 * The mutant catalog, planned through the real drivers: every scenario has a wrong twin, every
 * twin aims at a check its scenario has, and on every mesh the twin's manifests are wrong in the
 * stated field (or the twin is unsupported there, with a reason), never silently the same.
 */
import { describe, expect, it } from "vitest";
import { MESHES } from "../../src/mesh/registry.js";
import type { KubeObject, ScenarioPlan } from "../../src/plan/steps.js";
import { mutantScenarioPlan, mutatingDriver, stepJudging, withdrawing, type Mutant } from "../../src/engine/mutant.js";
import type { MeshName } from "../../src/mesh/driver.js";
import { SCENARIOS } from "../../scenarios/index.js";
import { FAILING_BACKEND_ERROR_RATE, MUTANTS, SLOW_BACKEND_DELAY_MS, mutantsOf } from "../../scenarios/mutants.js";
import { allSteps, contextFor, driverFor, plan } from "./helpers.js";
import { parseSimArgs } from "../../fixtures/llm-sim/src/index.js";
import { simFlags } from "../../src/stack/sim-workload.js";

function scenarioOf(mutant: Mutant) {
  const s = SCENARIOS.find((x) => x.name === mutant.scenario);
  if (!s) throw new Error(`no scenario ${mutant.scenario}`);
  return s;
}

function plans(mutant: Mutant, mesh: MeshName): { correct: ScenarioPlan; mutated: ScenarioPlan } {
  const scenario = scenarioOf(mutant);
  const correct = plan(scenario, contextFor(mesh));
  const mutated = mutantScenarioPlan(plan(scenario, contextFor(mesh, mutatingDriver(driverFor(mesh), mutant))), correct, mutant);
  return { correct, mutated };
}

/** The manifests an apply step of the plan applies. */
function applied(p: ScenarioPlan, stepId: string): KubeObject[] {
  const step = allSteps(p).find((s) => s.id === stepId);
  return step?.kind === "apply" ? step.manifests : [];
}

function one(p: ScenarioPlan, stepId: string, kind: string, name?: string): KubeObject & { spec: any } {
  const found = applied(p, stepId).filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  expect(found, `${kind} ${name ?? ""} in step ${stepId} of ${p.scenario}`).toHaveLength(1);
  return found[0] as KubeObject & { spec: any };
}

const weights = (refs: { weight?: number }[]) => refs.map((r) => r.weight ?? 1);
const share = (ws: number[], i: number) => ws[i]! / ws.reduce((a, b) => a + b, 0);

/**
 * Per mutant and mesh: the stated wrong field in the mutated plan, and the same field right in the
 * correct plan (so the assertion is about the mutation, not about the driver).
 */
const EXPECT: Record<string, Partial<Record<MeshName, (mutated: ScenarioPlan, correct: ScenarioPlan) => void>>> = {
  "canary-even-split": {
    istio: (m, c) => {
      const route = (p: ScenarioPlan) => one(p, "shift-10", "VirtualService").spec.http.at(-1).route as { weight: number; destination: { subset: string } }[];
      expect(route(m).map((r) => [r.destination.subset, r.weight])).toEqual([["stable", 50], ["canary", 50]]);
      expect(route(c).map((r) => [r.destination.subset, r.weight])).toEqual([["stable", 90], ["canary", 10]]);
    },
    linkerd: (m, c) => {
      const refs = (p: ScenarioPlan) => one(p, "shift-10", "HTTPRoute").spec.rules.at(-1).backendRefs as { name: string; weight: number }[];
      expect(refs(m).map((r) => r.name)).toEqual(["llm-stable", "llm-canary"]);
      expect(share(weights(refs(m)), 1)).toBe(0.5);
      expect(share(weights(refs(c)), 1)).toBe(0.1);
    },
  },
  "header-routing-no-match": {
    istio: (m, c) => {
      const headerRoutes = (p: ScenarioPlan) => (one(p, "routing-policy", "VirtualService").spec.http as { match?: { headers?: object }[] }[]).filter((r) => r.match?.some((x) => x.headers));
      expect(headerRoutes(m)).toEqual([]);
      expect(headerRoutes(c)).toHaveLength(2);
    },
    linkerd: (m, c) => {
      const headerRules = (p: ScenarioPlan) => (one(p, "routing-policy", "HTTPRoute").spec.rules as { matches?: { headers?: object[] }[] }[]).filter((r) => r.matches?.some((x) => x.headers?.length));
      expect(headerRules(m)).toEqual([]);
      expect(headerRules(c)).toHaveLength(2);
    },
  },
  "fault-injection-double-aborts": {
    istio: (m, c) => {
      const abort = (p: ScenarioPlan) => (one(p, "inject-faults", "VirtualService").spec.http as { fault?: { abort?: { percentage: { value: number } } } }[]).find((r) => r.fault?.abort)!.fault!.abort!.percentage.value;
      expect(abort(m)).toBe(10);
      expect(abort(c)).toBe(5);
    },
    linkerd: (m, c) => {
      // Linkerd's abort is a weighted backend that answers 503: its share of the route is the abort rate.
      const faultShare = (p: ScenarioPlan) => {
        const refs = (one(p, "inject-faults", "HTTPRoute").spec.rules.at(-1).backendRefs as { name: string; weight: number }[]);
        return share(weights(refs), refs.findIndex((r) => r.name === "llm-fault-503"));
      };
      expect(faultShare(m)).toBeCloseTo(0.1, 10);
      expect(faultShare(c)).toBeCloseTo(0.05, 10);
    },
  },
  "retries-too-few": {
    istio: (m, c) => {
      const attempts = (p: ScenarioPlan) => (one(p, "retry-policy", "VirtualService").spec.http as { retries?: { attempts: number } }[]).find((r) => r.retries)!.retries!.attempts;
      expect(attempts(m)).toBe(1);
      expect(attempts(c)).toBe(3);
    },
    linkerd: (m, c) => {
      const limit = (p: ScenarioPlan) => one(p, "retry-policy", "HTTPRoute").metadata.annotations?.["retry.linkerd.io/limit"];
      expect(limit(m)).toBe("1");
      expect(limit(c)).toBe("3");
    },
  },
  "retries-missing": {
    istio: (m, c) => {
      const withRetries = (p: ScenarioPlan) => applied(p, "retry-policy").filter((x) => x.kind === "VirtualService" && (x as unknown as { spec: { http: { retries?: object }[] } }).spec.http.some((r) => r.retries));
      expect(withRetries(m)).toEqual([]);
      expect(withRetries(c)).toHaveLength(1);
    },
    linkerd: (m, c) => {
      const limited = (p: ScenarioPlan) => applied(p, "retry-policy").filter((x) => x.metadata.annotations?.["retry.linkerd.io/limit"]);
      expect(limited(m)).toEqual([]);
      expect(limited(c)).toHaveLength(1);
    },
  },
  "timeouts-ten-times-longer": {
    istio: (m, c) => {
      const timeout = (p: ScenarioPlan) => (one(p, "route-timeouts", "VirtualService").spec.http as { match?: { uri?: { prefix?: string } }[]; timeout?: string }[]).find((r) => r.match?.[0]?.uri?.prefix === "/v1")!.timeout;
      expect(timeout(m)).toBe("600s");
      expect(timeout(c)).toBe("60s");
    },
    linkerd: (m, c) => {
      const timeout = (p: ScenarioPlan) => applied(p, "route-timeouts").filter((x) => x.kind === "HTTPRoute" && JSON.stringify(x).includes('"value":"/v1"'))[0]?.metadata.annotations?.["timeout.linkerd.io/request"];
      expect(timeout(m)).toBe("10m");
      expect(timeout(c)).toBe("1m");
    },
  },
  "timeouts-missing": {
    istio: (m, c) => {
      const v1 = (p: ScenarioPlan) => (one(p, "route-timeouts", "VirtualService").spec.http as { match?: { uri?: { prefix?: string } }[]; timeout?: string }[]).filter((r) => r.match?.[0]?.uri?.prefix === "/v1" && r.timeout);
      expect(v1(m)).toEqual([]);
      expect(v1(c)).toHaveLength(1);
    },
    linkerd: (m, c) => {
      const v1 = (p: ScenarioPlan) => applied(p, "route-timeouts").filter((x) => x.kind === "HTTPRoute" && JSON.stringify(x).includes('"value":"/v1"') && x.metadata.annotations?.["timeout.linkerd.io/request"]);
      expect(v1(m)).toEqual([]);
      expect(v1(c)).toHaveLength(1);
    },
  },
  "circuit-breaking-no-outlier": {
    istio: (m, c) => {
      const outlier = (p: ScenarioPlan) => applied(p, "circuit-breaker").filter((x) => (x as { spec?: { trafficPolicy?: { outlierDetection?: object } } }).spec?.trafficPolicy?.outlierDetection);
      expect(outlier(m)).toEqual([]);
      expect(outlier(c)).toHaveLength(1);
    },
    linkerd: (m, c) => {
      const accrual = (p: ScenarioPlan) => applied(p, "circuit-breaker").filter((x) => x.metadata.annotations?.["balancer.linkerd.io/failure-accrual"] === "consecutive");
      expect(accrual(m)).toEqual([]);
      expect(accrual(c)).toHaveLength(1);
    },
  },
  "mtls-permissive": {
    istio: (m, c) => {
      expect(one(m, "strict-mtls", "PeerAuthentication").spec.mtls.mode).toBe("PERMISSIVE");
      expect(one(c, "strict-mtls", "PeerAuthentication").spec.mtls.mode).toBe("STRICT");
    },
    linkerd: (m, c) => {
      expect(one(m, "strict-mtls", "Server").spec.accessPolicy).toBe("all-unauthenticated");
      expect(one(c, "strict-mtls", "Server").spec.accessPolicy).toBe("all-authenticated");
    },
  },
  "authz-allow-all": {
    istio: (m, c) => {
      const allowAll = (p: ScenarioPlan) => applied(p, "deny-all").filter((x) => (x as { spec?: { action?: string; rules?: object[] } }).spec?.action === "ALLOW" && JSON.stringify((x as unknown as { spec: { rules?: object[] } }).spec.rules) === "[{}]");
      expect(allowAll(m)).toHaveLength(1);
      expect(allowAll(c)).toEqual([]);
      // The correct deny-all is an ALLOW policy without rules, which matches nothing.
      expect(one(c, "deny-all", "AuthorizationPolicy").spec.rules).toBeUndefined();
    },
    linkerd: (m, c) => {
      const fromAnywhere = (p: ScenarioPlan) => applied(p, "deny-all").filter((x) => x.kind === "AuthorizationPolicy" && JSON.stringify(x).includes('"kind":"NetworkAuthentication"'));
      expect(fromAnywhere(m)).toHaveLength(1);
      expect(one(m, "deny-all", "NetworkAuthentication").spec.networks).toEqual([{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }]);
      expect(fromAnywhere(c)).toEqual([]);
    },
  },
  "rate-limit-none": {
    istio: (m, c) => {
      expect(applied(m, "rate-limit-policy").filter((x) => x.kind === "EnvoyFilter")).toEqual([]);
      expect(applied(c, "rate-limit-policy").filter((x) => x.kind === "EnvoyFilter")).toHaveLength(1);
    },
    // Linkerd's limit is only per second: the correct plan withdraws the aimed check (see the unsupported test).
  },
};

/** Backend mutants change the reference server, not the mesh's manifests: the run's stack carries them. */
const BACKEND_EXPECT: Record<string, object> = {
  "benchmark-slow-backend": { delayMs: SLOW_BACKEND_DELAY_MS },
  "upgrade-failing-backend": { errorRate: FAILING_BACKEND_ERROR_RATE, errorStatus: 503 },
};

describe("mutant catalog", () => {
  it("every scenario has at least one mutant, and names are unique slugs", () => {
    for (const s of SCENARIOS) expect(mutantsOf(s.name).length, s.name).toBeGreaterThan(0);
    const names = MUTANTS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const m of MUTANTS) expect(SCENARIOS.map((s) => s.name)).toContain(m.scenario);
  });

  it("every mutant is either a mesh configuration or a backend, never neither", () => {
    for (const m of MUTANTS) expect(Boolean(m.mutate) !== Boolean(m.backend), m.name).toBe(true);
    for (const [name, backend] of Object.entries(BACKEND_EXPECT)) expect(MUTANTS.find((m) => m.name === name)?.backend).toEqual(backend);
  });

  for (const mutant of MUTANTS) {
    describe(mutant.name, () => {
      for (const mesh of MESHES.meshesFor(scenarioOf(mutant))) {
        it(`aims at a check its scenario has on ${mesh}`, () => {
          const { correct, mutated } = plans(mutant, mesh);
          expect(stepJudging(correct, mutant.aimedAt), `${mutant.aimedAt} in ${mutant.scenario} on ${mesh}`).toBeDefined();
          // The run stops after the step that judges the aimed check.
          const assess = mutated.phases.find((p) => p.name === "assess")!.steps;
          const aimed = stepJudging(mutated, mutant.aimedAt)!;
          expect(assess.at(-1)).toBe(aimed);
          if (aimed.kind === "measure") expect(aimed.checks.map((c) => c.id)).toEqual([mutant.aimedAt]);
        });

        it(`is wrong in the stated way on ${mesh}, or unsupported there with a reason`, () => {
          const { correct, mutated } = plans(mutant, mesh);
          const gaps = withdrawing(mutated, mutant.aimedAt);
          if (mutant.backend) {
            // Same manifests: the wrong part is the backend.
            const manifests = (p: ScenarioPlan) => allSteps(p).filter((s) => s.kind === "apply").map((s) => JSON.stringify(s));
            expect(manifests(mutated)).toEqual(manifests(correct).slice(0, manifests(mutated).length));
            return;
          }
          const expectation = EXPECT[mutant.name]?.[mesh];
          if (expectation) {
            expect(gaps, "a mutant with a stated wrong field must be judged").toEqual([]);
            expectation(mutated, correct);
          } else {
            expect(gaps.length, `${mutant.name} on ${mesh} has no field expectation, so it must be unsupported`).toBeGreaterThan(0);
            for (const g of gaps) expect(g.reason.length).toBeGreaterThan(10);
          }
        });
      }
    });
  }

  it("a backend mutant's settings are flags the reference server reads as those faults", () => {
    for (const mutant of MUTANTS.filter((m) => m.backend)) {
      const parsed = parseSimArgs(simFlags("stable", 8000, mutant.backend!));
      expect(parsed.kind).toBe("config");
      if (parsed.kind === "config") expect(parsed.config).toMatchObject(mutant.backend!);
    }
  });

  it("a claim the mesh cannot judge when configured rightly is not judged on its wrong twin either", () => {
    const mutant = MUTANTS.find((m) => m.name === "rate-limit-none")!;
    const { correct, mutated } = plans(mutant, "linkerd");
    expect(withdrawing(correct, mutant.aimedAt).length).toBeGreaterThan(0);
    const inherited = withdrawing(mutated, mutant.aimedAt);
    expect(inherited.map((s) => s.id)).toEqual(["correct-rate-limit-policy-partly-ratelimit"]);
    expect(inherited[0]!.reason).toMatch(/per second/);
  });

  it("an intent rewrite the mesh cannot express stays an unsupported step, never dropped", () => {
    // Linkerd cannot delay; a mutant that only touches the delay still reports the gap.
    const delayOnly: Mutant = {
      name: "delay-twice",
      scenario: "fault-injection",
      wrong: "twice the delay",
      aimedAt: "delay-share",
      mutate: (intents) => intents.map((i) => (i.kind === "fault" && i.delay ? { ...i, delay: { ...i.delay, ms: i.delay.ms * 2 } } : i)),
    };
    const { mutated } = plans(delayOnly, "linkerd");
    expect(withdrawing(mutated, "delay-share").length).toBeGreaterThan(0);
  });
});
