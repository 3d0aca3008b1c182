import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { resolveScenario, resolveSuite } from "../../src/cli/definitions.js";
import { checkRunNames } from "../../src/cli/catalog.js";
import { SCENARIO_NAMES, SCENARIO_SUMMARIES, type ScenarioName } from "../../scenarios/catalog.js";
import { SCENARIOS } from "../../scenarios/index.js";

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error("expected a UsageError");
}

describe("scenario and suite names", () => {
  it("asks about a likely typo", () => {
    const err = usage(() => resolveScenario("canry"));
    expect(err.exitCode).toBe(2);
    expect(err.hint).toMatch(/did you mean "canary"/);
  });

  it("still names the nearest scenario for anything else, and lists them all", () => {
    const err = usage(() => resolveScenario("nosuch"));
    expect(err.message).toBe('unknown scenario "nosuch"');
    expect(err.hint).toMatch(/the nearest is "[a-z-]+"/);
    expect(err.hint).toMatch(/canary, header-routing/);
  });

  it("resolves a suite's entries to scenarios, with the baseline only where the entry asks for it", () => {
    const nightly = resolveSuite("nightly");
    expect(nightly.map((s) => s.name)).toContain("benchmark");
    expect(nightly.find((s) => s.name === "canary")!.baseline).toBe(false);
    expect(nightly.find((s) => s.name === "benchmark")!.baseline).toBe(true);
    expect(usage(() => resolveSuite("nighty")).hint).toMatch(/did you mean "nightly"/);
  });
});

describe("the light catalog --help and usage errors read", () => {
  it("names every scenario in the definitions' order, and each description opens with its summary", () => {
    expect(SCENARIO_NAMES).toEqual(SCENARIOS.map((s) => s.name));
    for (const s of SCENARIOS) expect(s.description.startsWith(`${SCENARIO_SUMMARIES[s.name as ScenarioName]} `), s.name).toBe(true);
  });

  it("checks a run's names as the full lookup does: the same errors before anything heavy loads", () => {
    for (const name of ["canry", "nosuch", undefined]) expect(usage(() => checkRunNames("scenario", name ?? "", undefined)).message).toBe(usage(() => resolveScenario(name)).message);
    expect(usage(() => checkRunNames("suite", "nighty", undefined)).hint).toMatch(/did you mean "nightly"/);
    expect(usage(() => checkRunNames("scenario", "", "canary-evn-split")).hint).toMatch(/did you mean "canary-even-split"/);
    expect(usage(() => checkRunNames("scenario", "mtls", "canary-even-split")).message).toMatch(/twin of scenario "canary"/);
    expect(usage(() => checkRunNames("suite", "nightly", "canary-even-split")).message).toMatch(/use it with `scenario`/);
    expect(() => checkRunNames("scenario", "canary", undefined)).not.toThrow();
    expect(() => checkRunNames("scenario", "", "canary-even-split")).not.toThrow();
    expect(() => checkRunNames("suite", "nightly", undefined)).not.toThrow();
  });
});
