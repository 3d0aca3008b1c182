import { describe, expect, it } from "vitest";
import { planCheck } from "../../src/analysis/index.js";
import { StepFactory, defineScenario } from "../../src/engine/scenario.js";
import { shareCheck } from "../../scenarios/checks.js";
import { CONVERGENCE_WINDOW_SECONDS, MIN_BATCH_SECONDS, plannedConverge, plannedMeasure, samplesNeeded } from "../../scenarios/sizing.js";
import { allSteps, contextFor, fakeDriver, plan } from "./helpers.js";
import { UsageError } from "../../src/core/errors.js";

const probe = defineScenario({
  name: "sizing-probe",
  description: "A scenario only the sizing tests build.",
  claims: ["none"],
  requires: ["split"],
  baseline: false,
  clusters: ["kind"],
  defaultLoad: { name: "sizing", executor: "constant-arrival-rate", rate: 20, durationSeconds: 60, mode: "plain" },
  build: () => ({ assess: [] }),
});

const tenPercent = shareCheck("ten", "10% reach the canary", { version: "canary" }, 0.1);

function factory(options: { rate?: number; durationSeconds?: number } = {}) {
  const ctx = contextFor("linkerd", fakeDriver("linkerd"), options);
  return { ctx, steps: new StepFactory(ctx, probe) };
}

describe("planned measure steps", () => {
  it("run a first batch by which some perfect meshes decide, and allow a later batch per planned look", () => {
    const { ctx, steps } = factory();
    const s = plannedMeasure(ctx, steps, "m", "measure the split now", [tenPercent], { requires: ["split"] });
    const plan = planCheck(tenPercent);
    if (plan.kind !== "proportion") throw new Error("expected a proportion plan");
    expect(s.load.durationSeconds).toBe(Math.max(MIN_BATCH_SECONDS, Math.ceil(plan.operating.perfect.samplesP05 / 20)));
    expect(s.expectedSeconds).toBe(Math.ceil(plan.expectedSamples / 20));
    // Each later batch reaches at least the next look (executor.ts nextBatch): one per look reaches the budget.
    expect(s.maxBatches - 1).toBeGreaterThanOrEqual(plan.looks);
    expect(s.requires).toEqual(["split"]);
  });

  it("follow the user's --rate and --duration", () => {
    const { ctx, steps } = factory({ rate: 40, durationSeconds: 30 });
    const s = plannedMeasure(ctx, steps, "m", "measure the split now", [tenPercent], { requires: ["split"] });
    expect(s.load).toMatchObject({ rate: 40, durationSeconds: 30 });
    expect(s.expectedSeconds).toBe(Math.max(30, Math.ceil(planCheck(tenPercent).expectedSamples / 40)));
  });

  it("never run a batch shorter than the minimum", () => {
    const { ctx, steps } = factory({ rate: 1000 });
    expect(plannedMeasure(ctx, steps, "m", "measure the split now", [tenPercent], { requires: [] }).load.durationSeconds).toBe(MIN_BATCH_SECONDS);
  });

  it("send more when a check counts only a subset of the requests", () => {
    const subset = shareCheck("sub", "429 among errors", { status: 429 }, 1, { denominator: { status: "error" } });
    expect(samplesNeeded([subset], { sub: 0.5 }).expected).toBeCloseTo(2 * samplesNeeded([subset]).expected, -1);
    expect(() => samplesNeeded([subset], { sub: 0 })).toThrow(/denominator share/);
  });

  it("give the step time for every batch it may draw", () => {
    const { ctx, steps } = factory();
    const s = plannedMeasure(ctx, steps, "m", "measure the split now", [tenPercent], { requires: ["split"] });
    expect(s.timeoutMs).toBeGreaterThan((s.load.durationSeconds + planCheck(tenPercent).maxSamples / 20) * 1000);
  });
});

describe("planned convergence steps", () => {
  it("pick the shortest window that resolves the change, with the convergence error knobs", () => {
    const { ctx, steps } = factory();
    const s = plannedConverge(ctx, steps, "c", "wait for the new split", [tenPercent], { requires: ["split"], maxTolerance: { ten: 0.09 } });
    const [check] = s.checks;
    if (check?.type !== "proportion") throw new Error("expected a proportion check");
    expect(check).toMatchObject({ toleranceAbsolute: 0.09, falseFailure: 1e-3, falsePass: 1e-2 });
    expect(check.maxSamples).toBe(20 * s.probe.durationSeconds);
    const windows = CONVERGENCE_WINDOW_SECONDS as readonly number[];
    const chosen = windows.indexOf(s.probe.durationSeconds);
    expect(chosen).toBeGreaterThanOrEqual(0);
    const resolves = (seconds: number) => {
      const plan = planCheck({ ...check, maxSamples: 20 * seconds });
      return plan.kind === "proportion" && plan.toleranceFrom === "absolute";
    };
    expect(resolves(s.probe.durationSeconds)).toBe(true);
    if (chosen > 0) expect(resolves(windows[chosen - 1]!)).toBe(false);
    expect(s.timeoutMs).toBeGreaterThanOrEqual(s.windows * s.probe.durationSeconds * 1000);
  });

  it("insist on a band for every check", () => {
    const { ctx, steps } = factory();
    expect(() => plannedConverge(ctx, steps, "c", "wait for the new split", [tenPercent], { requires: ["split"], maxTolerance: {} })).toThrow(/maxTolerance/);
  });
});

describe("a convergence window no length can resolve", () => {
  it("is refused at plan time with exit 2 and the rate that would do", () => {
    const { ctx, steps } = factory({ rate: 0.5 });
    let error: unknown;
    try {
      plannedConverge(ctx, steps, "c", "wait for the new split", [tenPercent], { requires: ["split"], maxTolerance: { ten: 0.09 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    const rate = Number(/--rate ([\d.]+) or more/.exec((error as UsageError).hint ?? "")?.[1]);
    expect(rate).toBeGreaterThan(0.5);
    // The suggested rate really resolves the change.
    const ok = factory({ rate });
    expect(() => plannedConverge(ok.ctx, ok.steps, "c", "wait for the new split", [tenPercent], { requires: ["split"], maxTolerance: { ten: 0.09 } })).not.toThrow();
  });
});

describe("the canary at a low --rate", () => {
  it("either refuses to plan (exit 2) or keeps every convergence band clear of the previous weight", async () => {
    const { canary } = await import("../../scenarios/canary.js");
    for (const rate of [1, 2, 5, 10]) {
      const ctx = contextFor("istio", undefined, { rate });
      let planned: ReturnType<typeof plan> | undefined;
      try {
        planned = plan(canary, ctx);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        expect((e as UsageError).hint).toMatch(/--rate [\d.]+ or more/);
        continue;
      }
      for (const s of allSteps(planned).filter((x) => x.kind === "converge")) {
        for (const c of s.kind === "converge" ? s.checks : []) {
          if (c.type !== "proportion") continue;
          const p = planCheck(c, { looks: 1 });
          if (p.kind !== "proportion") continue;
          // The band never widens past what the check asked for.
          expect(p.tolerance).toBeLessThanOrEqual(c.toleranceAbsolute);
        }
      }
    }
  });
});
