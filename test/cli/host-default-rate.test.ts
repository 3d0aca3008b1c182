/**
 * On the host cluster a run without --rate drives every scenario at HOST_DEFAULT_RATE (its
 * backend is llm-sim, not a model server); --rate still wins, and other clusters keep the
 * scenarios' own rates. Scenarios with caps of their own keep them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseRunOptions } from "../../src/cli/options.js";
import { HOST_DEFAULT_RATE, planRun } from "../../src/cli/run.js";
import { walkSteps } from "../../src/plan/steps.js";

const runDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-host-rate-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

async function measureRates(scenario: string, options: Record<string, unknown>): Promise<{ rates: number[]; recorded: Record<string, unknown> }> {
  const { plan } = await planRun("scenario", scenario, parseRunOptions({ dryRun: true, mesh: "none", ...options }), "r1", runDir);
  const steps = [...walkSteps(plan.targets.flatMap((t) => t.scenarios.flatMap((s) => s.phases.flatMap((p) => p.steps))))];
  return { rates: steps.flatMap((s) => (s.kind === "measure" ? [s.load.rate] : [])), recorded: plan.options };
}

describe("the host cluster's default rate", () => {
  it("drives the benchmark's first step at the host default without --rate, and records where the rate came from", async () => {
    const host = await measureRates("benchmark", { cluster: "host" });
    const kind = await measureRates("benchmark", { cluster: "kind" });
    expect(host.rates.length).toBeGreaterThan(0);
    expect(host.rates[0]).not.toBe(kind.rates[0]);
    expect(host.recorded).toMatchObject({ rate: HOST_DEFAULT_RATE, rateFrom: "--cluster host's default" });
    expect(kind.recorded.rate).toBeUndefined();
  });

  it("gives way to --rate", async () => {
    const given = await measureRates("benchmark", { cluster: "host", rate: 40 });
    const kind = await measureRates("benchmark", { cluster: "kind", rate: 40 });
    expect(given.rates).toEqual(kind.rates);
    expect(given.recorded).toMatchObject({ rate: 40 });
    expect(given.recorded.rateFrom).toBeUndefined();
  });
});
