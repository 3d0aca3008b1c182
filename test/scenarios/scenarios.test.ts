import { describe, expect, it } from "vitest";
import type { ProportionCheckSpec } from "../../src/analysis/index.js";
import { UsageError } from "../../src/core/errors.js";
import type { ConvergeStep, Step } from "../../src/plan/steps.js";
import { canary, CANARY_STEPS } from "../../scenarios/canary.js";
import { circuitBreaking } from "../../scenarios/circuit-breaking.js";
import { FAULTY_VERSION } from "../../scenarios/faulty-replica.js";
import { faultInjection, DELAYED_THRESHOLD_MS, UNDELAYED_P99_MS } from "../../scenarios/fault-injection.js";
import { headerRouting } from "../../scenarios/header-routing.js";
import { mtls } from "../../scenarios/mtls.js";
import { authz } from "../../scenarios/authz.js";
import { admittedShareBounds, rateLimit } from "../../scenarios/rate-limit.js";
import { retries, RETRY_RATE_CAP } from "../../scenarios/retries.js";
import { timeouts, PAST_TIMEOUT_DELAY_MS } from "../../scenarios/timeouts.js";
import { benchmark, SWEEP } from "../../scenarios/benchmark.js";
import { ALL_STABLE, SPLIT_90_10, INFERENCE_TIMEOUT_MS } from "../../scenarios/policies.js";
import { SIM_IMAGE } from "../../src/stack/index.js";
import { allSteps, contextFor, fakeDriver, judgingSteps, measureSteps, plan, step, TARGET } from "./helpers.js";

function proportion(s: { checks: readonly { type: string }[] }, id: string): ProportionCheckSpec {
  const c = s.checks.find((x) => (x as { id?: string }).id === id);
  if (!c || c.type !== "proportion") throw new Error(`no proportion check ${id}`);
  return c as ProportionCheckSpec;
}

/** The intents a fake driver's placeholder object carries. */
function intentsOf(steps: readonly Step[]): unknown[] {
  return steps.flatMap((s) => (s.kind === "apply" ? s.manifests.map((m) => JSON.parse(String((m.data as Record<string, string>).intent))) : []));
}

describe("canary", () => {
  const p = plan(canary, contextFor("linkerd", fakeDriver("linkerd")));

  it("shifts 10, 25, 50 and 100% in order, converging and measuring after each shift", () => {
    const ids = allSteps(p).filter((s) => s.kind !== "unsupported").map((s) => s.id);
    let last = -1;
    for (const percent of CANARY_STEPS) {
      const order = [`shift-${percent}`, `shift-${percent}-converge`, `measure-${percent}`, `gate-${percent}`].map((id) => ids.indexOf(id));
      expect(order.every((i) => i > last)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      last = order[3]!;
      expect(proportion(step(p, `measure-${percent}`, "measure"), `at-${percent}-canary-share`).expected).toBe(percent / 100);
    }
  });

  it("gates every step on its SLOs, rolling every request back to stable and confirming it", () => {
    for (const percent of CANARY_STEPS) {
      const gate = step(p, `gate-${percent}`, "gate");
      expect(gate.after).toBe(`measure-${percent}`);
      expect(intentsOf(gate.onFail)).toContainEqual(ALL_STABLE);
      const confirm = gate.onFail.find((s): s is ConvergeStep => s.kind === "converge");
      expect(confirm && proportion(confirm, `rollback-${percent}-share`).expected).toBe(0);
      const measure = step(p, `measure-${percent}`, "measure");
      expect(measure.checks.map((c) => c.type).sort()).toEqual(["latency", "latency", "proportion", "proportion"]);
      expect(measure.checks.some((c) => c.type === "latency" && c.metric === "ttft")).toBe(true);
    }
  });

  it("measures streamed completions so time to first token is seen", () => {
    for (const s of measureSteps(p)) expect(s.load.mode).toBe("stream");
  });

  it("keeps each convergence band clear of the previous weight, so old traffic cannot look converged", () => {
    let previous = 0;
    for (const percent of CANARY_STEPS) {
      const c = proportion(step(p, `shift-${percent}-converge`, "converge"), `shift-${percent}-converge`.replace("-converge", "-converged-share"));
      expect(Math.abs(c.expected - previous / 100)).toBeGreaterThan(c.toleranceAbsolute);
      previous = percent;
    }
  });
});

describe("header-routing", () => {
  const p = plan(headerRouting, contextFor("linkerd", fakeDriver("linkerd")));

  it("applies the same 90/10 split and header override as the canary scenario", () => {
    const applied = intentsOf(allSteps(p));
    expect(applied).toContainEqual(SPLIT_90_10);
    expect(applied).toContainEqual(expect.objectContaining({ kind: "route", version: "canary" }));
    expect(applied).toContainEqual(expect.objectContaining({ kind: "route", version: "stable" }));
  });

  it("sends each kind of request in its own step with the headers that select it", () => {
    expect(step(p, "canary-header", "measure").load.headers).toEqual({ "x-canary": "true" });
    expect(step(p, "premium-tier", "measure").load.headers).toEqual({ "x-customer-tier": "premium" });
    expect(step(p, "no-headers", "measure").load.headers).toEqual({});
    expect(step(p, "other-header-values", "measure").load.headers).toEqual({ "x-canary": "false", "x-customer-tier": "standard" });
  });
});

describe("fault-injection", () => {
  const p = plan(faultInjection, contextFor("linkerd", fakeDriver("linkerd")));

  it("checks the abort share by status and the delay share by latency, above the undelayed premise", () => {
    const m = step(p, "measure-faults", "measure");
    expect(proportion(m, "abort-share")).toMatchObject({ expected: 0.05, numerator: { status: 503 } });
    const delay = m.checks.find((c) => c.id === "delay-share");
    expect(delay).toMatchObject({ type: "latency-share", expected: 0.1, slowerThanMs: DELAYED_THRESHOLD_MS });
    expect(DELAYED_THRESHOLD_MS).toBeGreaterThan(UNDELAYED_P99_MS);
    // A delayed request takes the 500 ms delay plus llm-sim's 100 ms time to first token.
    expect(DELAYED_THRESHOLD_MS).toBeLessThan(500 + 100);
  });

  it("judges the premise before any fault is applied", () => {
    const ids = allSteps(p).map((s) => s.id);
    expect(ids.indexOf("before-faults")).toBeLessThan(ids.indexOf("inject-faults"));
  });
});

describe("retries", () => {
  it("stays at or below the retry-budget-safe rate whatever --rate says, and sends to stable only", () => {
    const driver = fakeDriver("linkerd");
    const p = plan(retries, contextFor("linkerd", driver, { rate: 50 }));
    for (const s of judgingSteps(p)) expect((s.kind === "measure" ? s.load : s.probe).rate).toBeLessThanOrEqual(RETRY_RATE_CAP);
    expect(driver.rendered).toContainEqual(ALL_STABLE);
  });

  it("drives failures with the reference server's fault headers", () => {
    const p = plan(retries, contextFor("linkerd", fakeDriver("linkerd")));
    expect(step(p, "recovered-by-retries", "measure").load.headers).toEqual({ "x-llm-fail-attempts": "2", "x-llm-fail-status": "500" });
    expect(step(p, "exhausted-retries", "measure").load.headers).toEqual({ "x-llm-fail-attempts": "4", "x-llm-fail-status": "500" });
    const cut = step(p, "stream-cut-not-retried", "measure");
    expect(cut.load).toMatchObject({ mode: "stream", headers: { "x-llm-abort-after-tokens": "2" } });
    expect(proportion(cut, "cut-stream-first-try")).toMatchObject({ expected: 0, numerator: { minAttempt: 2 } });
  });
});

describe("timeouts", () => {
  const p = plan(timeouts, contextFor("linkerd", fakeDriver("linkerd")));

  it("holds requests past the limit and lets the client wait longer than the route does", () => {
    const past = step(p, "past-the-limit", "measure");
    expect(Number(past.load.headers["x-llm-delay-ms"])).toBe(PAST_TIMEOUT_DELAY_MS);
    expect(past.load.requestTimeoutMs).toBeGreaterThan(PAST_TIMEOUT_DELAY_MS);
    // The client must be able to hold every request in flight at once.
    expect(past.load.maxVUs).toBeGreaterThanOrEqual(past.load.rate * (PAST_TIMEOUT_DELAY_MS / 1000));
    expect(past.timeoutMs).toBeGreaterThan(past.load.durationSeconds * 1000 + PAST_TIMEOUT_DELAY_MS);
  });

  it("bounds the cut from both sides around the 60 s limit", () => {
    const past = step(p, "past-the-limit", "measure");
    const early = past.checks.find((c) => c.id === "not-cut-early");
    const late = past.checks.find((c) => c.id === "not-cut-late");
    expect(early).toMatchObject({ type: "latency-share", expected: 1 });
    expect(late).toMatchObject({ type: "latency-share", expected: 0 });
    if (early?.type !== "latency-share" || late?.type !== "latency-share") throw new Error("unreachable");
    expect(early.slowerThanMs).toBeLessThan(INFERENCE_TIMEOUT_MS);
    expect(late.slowerThanMs).toBeGreaterThan(INFERENCE_TIMEOUT_MS);
  });

  it("judges long streamed completions", () => {
    expect(step(p, "long-stream-within-the-limit", "measure").load.mode).toBe("stream");
  });
});

describe("circuit-breaking", () => {
  const ctx = contextFor("linkerd", fakeDriver("linkerd"));
  const p = plan(circuitBreaking, ctx);

  it("adds a failing replica under the Service's selector in setup, and waits for it", () => {
    const setup = p.phases.find((ph) => ph.name === "setup")!.steps;
    const [apply, wait] = setup;
    if (apply?.kind !== "apply" || wait?.kind !== "wait") throw new Error("setup is not apply then wait");
    const [deployment] = apply.manifests;
    expect(deployment).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: TARGET.namespace } });
    const labels = (deployment?.spec as { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } }).template.metadata;
    expect(labels.labels).toMatchObject({ ...TARGET.selector, ...TARGET.labels, version: FAULTY_VERSION });
    expect(labels.annotations).toEqual(ctx.driver.podAnnotations());
    const container = (deployment?.spec as { template: { spec: { containers: { image: string; env: { name: string; value: string }[] }[] } } }).template.spec.containers[0]!;
    expect(container.image).toBe(SIM_IMAGE);
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ LLMSIM_ERROR_RATE: "1", LLMSIM_ERROR_STATUS: "503", LLMSIM_VERSION: FAULTY_VERSION, LLMSIM_HOST: "0.0.0.0", LLMSIM_PORT: String(TARGET.port) });
    expect(wait.condition).toEqual({ type: "rollout", namespace: TARGET.namespace, kind: "Deployment", name: deployment?.metadata.name });
  });

  it("runs the image the stack's replicas run, when the target names one (the host cluster has no registry)", () => {
    const local = plan(circuitBreaking, { ...contextFor("istio"), target: { ...TARGET, simImage: "meshproof.local/llm-sim:abc" } });
    const apply = local.phases.flatMap((ph) => ph.steps).find((s) => s.kind === "apply");
    const spec = (apply?.kind === "apply" ? apply.manifests[0]?.spec : undefined) as { template: { spec: { containers: { image: string }[] } } } | undefined;
    expect(spec?.template.spec.containers[0]?.image).toBe("meshproof.local/llm-sim:abc");
  });

  it("measures the error rate before and after the outlier policy", () => {
    const ids = allSteps(p).map((s) => s.id);
    expect(ids.indexOf("before-ejection")).toBeLessThan(ids.indexOf("circuit-breaker"));
    expect(ids.indexOf("circuit-breaker")).toBeLessThan(ids.indexOf("after-ejection"));
    expect(proportion(step(p, "after-ejection", "measure"), "errors-after").numerator).toEqual({ status: "error" });
  });
});

describe("mtls", () => {
  it("expects each mesh's own form of the loadgen identity", () => {
    const istio = plan(mtls, contextFor("istio"));
    expect(proportion(step(istio, "strict-meshed-client", "measure"), "strict-meshed-identity").numerator.peer).toBe(`spiffe://cluster.local/ns/${TARGET.namespace}/sa/loadgen`);
    const linkerd = plan(mtls, contextFor("linkerd", fakeDriver("linkerd")));
    expect(proportion(step(linkerd, "strict-meshed-client", "measure"), "strict-meshed-identity").numerator.peer).toBe(`loadgen.${TARGET.namespace}.serviceaccount.identity.linkerd.cluster.local`);
  });

  it("sends the refused and the plaintext requests from the client outside the mesh", () => {
    const p = plan(mtls, contextFor("linkerd", fakeDriver("linkerd")));
    expect(step(p, "strict-outsider", "measure").load.client).toBe("outsider");
    expect(step(p, "permissive-outsider", "measure").load.client).toBe("outsider");
    expect(step(p, "strict-meshed-client", "measure").load.client).toBe("meshed");
  });
});

describe("authz", () => {
  const driver = fakeDriver("linkerd");
  const p = plan(authz, contextFor("linkerd", driver));

  it("starts from deny-all, then allows the loadgen identity to POST to /v1 with the required headers", () => {
    const authzIntents = driver.rendered.filter((i) => i.kind === "authz");
    expect(authzIntents[0]).toEqual({ kind: "authz", rules: [] });
    expect(authzIntents).toContainEqual({
      kind: "authz",
      rules: [
        {
          serviceAccounts: [`${TARGET.namespace}/loadgen`],
          namespaces: [],
          methods: ["POST"],
          paths: [{ type: "prefix", value: "/v1" }],
          headers: [
            { name: "x-team", match: { type: "present" } },
            { name: "x-project", match: { type: "present" } },
          ],
        },
      ],
    });
  });

  it("removes each policy before the next replaces it", () => {
    const ids = allSteps(p).map((s) => s.id);
    for (const next of ["allow-reference", "allow-get-only", "allow-other-identity"]) {
      expect(ids.indexOf(`${next}-remove-previous`)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(`${next}-remove-previous`)).toBeLessThan(ids.indexOf(next));
    }
  });

  it("refuses a missing header, another path and a caller outside the mesh", () => {
    expect(step(p, "missing-header", "measure").load.headers).toEqual({ "x-team": "ml-platform" });
    expect(step(p, "other-path", "measure").load.path).toBe("/v2/chat/completions");
    expect(step(p, "outside-the-mesh", "measure").load.client).toBe("outsider");
  });
});

describe("rate-limit", () => {
  it("bounds the admitted share by whole refills plus at most one starting bucket", () => {
    // 10 requests/s for 300 s: 500 to 600 of 3000 admitted.
    expect(admittedShareBounds(10, 300)).toEqual({ low: 500 / 3000, high: 600 / 3000 });
    // A window that is not a whole number of minutes widens the bounds rather than guessing.
    expect(admittedShareBounds(10, 90)).toEqual({ low: 100 / 900, high: 300 / 900 });
    expect(admittedShareBounds(1, 60).high).toBe(1);
  });

  it("judges the over-limit batch once, with a band covering the bounds", () => {
    const p = plan(rateLimit, contextFor("linkerd", fakeDriver("linkerd")));
    const over = step(p, "over-the-limit", "measure");
    expect(over.maxBatches).toBe(1);
    const bounds = admittedShareBounds(over.load.rate, over.load.durationSeconds);
    const admitted = proportion(over, "admitted-at-limit");
    expect(admitted.expected - admitted.toleranceAbsolute).toBeLessThan(bounds.low);
    expect(admitted.expected + admitted.toleranceAbsolute).toBeGreaterThan(bounds.high);
    // ... yet narrow enough that twice the limit (200 a minute) fails.
    expect(admitted.expected + admitted.toleranceAbsolute).toBeLessThan(admittedShareBounds(over.load.rate, over.load.durationSeconds, 200).low);
    expect(step(p, "under-the-limit", "measure").load.rate * 60).toBeLessThan(100);
  });

  it("follows --rate and --duration for the over-limit batch, and refuses load too small to show the limit", () => {
    const p = plan(rateLimit, contextFor("linkerd", fakeDriver("linkerd"), { rate: 20, durationSeconds: 120 }));
    expect(step(p, "over-the-limit", "measure").load).toMatchObject({ rate: 20, durationSeconds: 120 });
    expect(() => plan(rateLimit, contextFor("linkerd", fakeDriver("linkerd"), { rate: 2 }))).toThrow(UsageError);
    let refusal: unknown;
    try {
      plan(rateLimit, contextFor("linkerd", fakeDriver("linkerd"), { durationSeconds: 30 }));
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as UsageError).hint).toMatch(/--duration 60s or more/);
  });
});

describe("benchmark", () => {
  it("sweeps constant arrival rates from the base rate, streamed, with the same step ids on every mesh", () => {
    const ids = (mesh: "none" | "istio" | "linkerd") => measureSteps(plan(benchmark, contextFor(mesh))).map((s) => s.id);
    expect(ids("none")).toEqual(ids("istio"));
    expect(ids("none")).toEqual(ids("linkerd"));
    const steps = measureSteps(plan(benchmark, contextFor("none", undefined, { rate: 8 })));
    expect(steps.map((s) => s.load.rate)).toEqual(SWEEP.map((f) => 8 * f));
    for (const s of steps) {
      expect(s.load).toMatchObject({ executor: "constant-arrival-rate", mode: "stream" });
      expect(s.requires).toEqual([]);
      expect(new Set(s.checks.map((c) => (c.type === "latency" ? c.metric : "errors")))).toEqual(new Set(["errors", "e2e", "ttft", "itl"]));
    }
  });

  it("uses --duration as each step's first batch", () => {
    for (const s of measureSteps(plan(benchmark, contextFor("none", undefined, { durationSeconds: 45 })))) expect(s.load.durationSeconds).toBe(45);
  });
});
