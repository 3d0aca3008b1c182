/**
 * Judging a mutant run from its records: only a failed aimed check (or the failed convergence of
 * the step holding it) is a kill; a pass is a survivor; inconclusive and never-judged are not kills.
 */
import { describe, expect, it } from "vitest";
import { judgeMutant, mutantExitCode, type Mutant } from "../../src/engine/mutant.js";
import type { ScenarioRecord, StepRecord } from "../../src/report/results.js";
import type { Verdict } from "../../src/analysis/verdict.js";

const mutant: Mutant = { name: "m", scenario: "s", wrong: "wrong", aimedAt: "aimed", mutate: (i) => i };

function verdict(checkId: string, status: Verdict["status"]): Verdict {
  return { checkId, claim: "claim", status, reason: `${status} because`, evidence: [] } as Verdict;
}

function scenario(steps: Partial<StepRecord>[], verdicts: Verdict[] = steps.flatMap((s) => s.verdicts ?? [])): ScenarioRecord {
  const full = steps.map((s) => ({ id: "step", name: "step", kind: "measure", status: "ok", startedAt: "", durationMs: 0, ...s }) as StepRecord);
  return { name: "s", description: "", claims: [], requires: [], status: "pass", steps: full, verdicts } as ScenarioRecord;
}

describe("judgeMutant", () => {
  it("a failed aimed check kills the mutant; a pass lets it survive", () => {
    expect(judgeMutant(mutant, scenario([{ id: "measure", verdicts: [verdict("aimed", "fail")] }]), "istio", "measure").status).toBe("killed");
    expect(judgeMutant(mutant, scenario([{ id: "measure", verdicts: [verdict("aimed", "pass")] }]), "istio", "measure").status).toBe("survived");
  });

  it("another check failing is not a kill", () => {
    expect(judgeMutant(mutant, scenario([{ id: "measure", verdicts: [verdict("other", "fail"), verdict("aimed", "pass")] }]), "istio", "measure").status).toBe("survived");
    expect(judgeMutant(mutant, scenario([{ id: "earlier", verdicts: [verdict("other", "fail")] }]), "istio", "measure").status).toBe("not-judged");
  });

  it("a converge step holding the aimed check kills it by not converging, and lets it survive by converging", () => {
    const failed = scenario([{ id: "conv", kind: "converge", status: "failed", convergence: { converged: false, timeToConvergeMs: null, windows: 3, misses: [], diagnosis: "applied-but-wrong" } as never, verdicts: [verdict("conv-converged", "fail")] }]);
    expect(judgeMutant(mutant, failed, "linkerd", "conv")).toMatchObject({ status: "killed", reason: expect.stringMatching(/conv-converged failed/) });
    const converged = scenario([{ id: "conv", kind: "converge", convergence: { converged: true, timeToConvergeMs: 1000, windows: 3, misses: [], diagnosis: "converged" } as never }]);
    expect(judgeMutant(mutant, converged, "linkerd", "conv").status).toBe("survived");
  });

  it("inconclusive is not a kill, and unsupported is reported as such", () => {
    expect(judgeMutant(mutant, scenario([{ id: "measure", verdicts: [verdict("aimed", "inconclusive")] }]), "istio", "measure").status).toBe("inconclusive");
    expect(judgeMutant(mutant, scenario([], [verdict("aimed", "unsupported")]), "linkerd", "measure").status).toBe("unsupported");
  });

  it("exit codes: 0 when killed or unsupported everywhere, 1 when any survived or was never judged, 3 when inconclusive", () => {
    const o = (status: "killed" | "survived" | "inconclusive" | "unsupported" | "not-judged") => ({ mesh: "istio", status, reason: "" });
    expect(mutantExitCode([o("killed"), o("unsupported")])).toBe(0);
    expect(mutantExitCode([o("killed"), o("survived")])).toBe(1);
    expect(mutantExitCode([o("killed"), o("not-judged")])).toBe(1);
    expect(mutantExitCode([o("killed"), o("inconclusive")])).toBe(3);
  });
});
