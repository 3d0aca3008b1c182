import { describe, expect, it } from "vitest";
import { defineScenario, StepFactory, type ScenarioDefinition } from "../../src/engine/scenario.js";
import { shareCheck } from "../../scenarios/checks.js";
import { applyPolicy, withdrawUnlessExpressed } from "../../scenarios/policy-steps.js";
import { FAULTS, INJECTED_DELAY, RETRY_POLICY, ALL_STABLE } from "../../scenarios/policies.js";
import { faultInjection } from "../../scenarios/fault-injection.js";
import { rateLimit } from "../../scenarios/rate-limit.js";
import { retries } from "../../scenarios/retries.js";
import { circuitBreaking } from "../../scenarios/circuit-breaking.js";
import { allSteps, contextFor, driverFor, fakeDriver, judgingSteps, plan } from "./helpers.js";

/** A retry policy applied, then one step judging it: the smallest scenario that shows the linking. */
const retryProbe: ScenarioDefinition = defineScenario({
  name: "retry-probe",
  description: "A scenario only the policy-step tests build.",
  claims: ["retries recover 503s"],
  requires: ["retry", "split"],
  baseline: false,
  clusters: ["kind"],
  defaultLoad: { name: "probe", executor: "constant-arrival-rate", rate: 5, durationSeconds: 30, mode: "plain" },
  build(ctx, steps) {
    return {
      assess: [
        ...applyPolicy(ctx, steps, "retry-policy", "retry on 503 with the seed policy", [ALL_STABLE, RETRY_POLICY]),
        ...withdrawUnlessExpressed(ctx, "delay-part", [{ kind: "fault", delay: { ...INJECTED_DELAY } }], ["needs-delay"]),
        steps.measure("judge", "send requests that fail twice", [shareCheck("recovered", "requests recover", { status: "2xx" }, 1)], { requires: ["retry"] }),
        steps.measure("judge-delay", "send requests to be delayed", [shareCheck("needs-delay", "requests are delayed", { status: "2xx" }, 1)], { requires: [] }),
      ],
    };
  },
});

function withdrawn(p: ReturnType<typeof plan>): Set<string> {
  return new Set(allSteps(p).flatMap((s) => (s.kind === "unsupported" ? s.checks : [])));
}

describe("applying a reference policy", () => {
  it("reports a part the mesh leaves out without withdrawing the claims", () => {
    const p = plan(retryProbe, contextFor("linkerd", fakeDriver("linkerd", [], ["retry"])));
    const gaps = allSteps(p).filter((s) => s.kind === "unsupported");
    expect(gaps.map((g) => g.id)).toEqual(["retry-policy-partly-retry"]);
    expect(gaps[0]?.name).toBe("retry is only partly supported by linkerd");
    expect(withdrawn(p).has("recovered")).toBe(false);
    expect(allSteps(p).find((s) => s.id === "retry-policy")?.kind).toBe("apply");
  });

  it("withdraws the claims when the mesh refuses the whole intent, even beside a partial gap", () => {
    const p = plan(retryProbe, contextFor("linkerd", fakeDriver("linkerd", ["retry"], ["split"])));
    expect(withdrawn(p).has("recovered")).toBe(true);
    const ids = allSteps(p).map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("retry-policy-partly-split");
  });

  it("withdraws claims that rest on a part the mesh cannot express, and only those", () => {
    expect(withdrawn(plan(retryProbe, contextFor("linkerd", fakeDriver("linkerd", ["fault"])))).has("needs-delay")).toBe(true);
    expect(withdrawn(plan(retryProbe, contextFor("linkerd", fakeDriver("linkerd")))).has("needs-delay")).toBe(false);
  });

  it("hangs claims that rest on a missing part on the gap already reported, not on a second one", () => {
    const ctx = contextFor("linkerd", fakeDriver("linkerd", [], ["fault"]));
    const steps = applyPolicy(ctx, new StepFactory(ctx, retryProbe), "faults", "inject the faults", [FAULTS], [
      { part: [{ kind: "fault", delay: { ...INJECTED_DELAY } }], checks: ["needs-delay"] },
    ]);
    const gaps = steps.filter((s) => s.kind === "unsupported");
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.kind === "unsupported" && gaps[0].checks).toEqual(["needs-delay"]);
  });

  it("reports a missing part on its own when the policy as a whole showed no gap for it", () => {
    const ctx = contextFor("linkerd", fakeDriver("linkerd", ["fault"]));
    const steps = applyPolicy(ctx, new StepFactory(ctx, retryProbe), "split", "split the traffic", [ALL_STABLE], [
      { part: [{ kind: "fault", delay: { ...INJECTED_DELAY } }], checks: ["needs-delay"] },
    ]);
    expect(steps.map((s) => [s.id, s.kind])).toEqual([["split", "apply"], ["split-part-1", "unsupported"]]);
  });

  it("renders the whole policy in one apply step when nothing is missing", () => {
    const ctx = contextFor("linkerd", fakeDriver("linkerd"));
    const steps = applyPolicy(ctx, new StepFactory(ctx, retryProbe), "faults", "inject the faults", [FAULTS, ALL_STABLE]);
    expect(steps.map((s) => [s.id, s.kind])).toEqual([["faults", "apply"]]);
    expect(steps[0]?.kind === "apply" && steps[0].manifests.length).toBe(2);
  });
});

describe("on the real drivers", () => {
  const judged = (scenario: ScenarioDefinition, mesh: "istio" | "linkerd") => {
    const p = plan(scenario, contextFor(mesh, driverFor(mesh)));
    const gone = withdrawn(p);
    return new Set(judgingSteps(p).flatMap((s) => s.checks.map((c) => c.id)).filter((id) => !gone.has(id)));
  };

  it("judge retries on both meshes although neither expresses the whole seed policy", () => {
    for (const mesh of ["istio", "linkerd"] as const) expect(judged(retries, mesh).has("recovered-success")).toBe(true);
  });

  it("judge Linkerd's emulated aborts but withdraw its delays", () => {
    const linkerd = judged(faultInjection, "linkerd");
    expect(linkerd.has("abort-share")).toBe(true);
    expect(linkerd.has("delay-share")).toBe(false);
    expect(judged(faultInjection, "istio").has("delay-share")).toBe(true);
  });

  it("judge circuit breaking on Linkerd, whose failure accrual has no sweep interval or ejection cap", () => {
    expect(judged(circuitBreaking, "linkerd").has("errors-after")).toBe(true);
  });

  it("withdraw the rate-limit claims where the limit can only be approximated", () => {
    const linkerd = judged(rateLimit, "linkerd");
    expect(linkerd.has("admitted-at-limit")).toBe(false);
    expect(judged(rateLimit, "istio").has("admitted-at-limit")).toBe(true);
  });
});

describe("a policy that brings its own workload", () => {
  it("waits for Linkerd's fault backend to be ready before traffic is judged", () => {
    const steps = allSteps(plan(faultInjection, contextFor("linkerd")));
    const ids = steps.map((s) => s.id);
    const wait = steps.find((s) => s.kind === "wait" && s.condition.type === "rollout");
    expect(wait).toMatchObject({ condition: { type: "rollout", kind: "Deployment", name: "llm-fault-503", namespace: "meshproof-test" } });
    expect(ids.indexOf("inject-faults")).toBeLessThan(ids.indexOf(wait?.id ?? ""));
    expect(ids.indexOf(wait?.id ?? "")).toBeLessThan(ids.indexOf("faults-converge"));
    // Istio's fault filter brings no workload, so there is nothing to wait for.
    expect(allSteps(plan(faultInjection, contextFor("istio"))).some((s) => s.kind === "wait")).toBe(false);
  });
});
