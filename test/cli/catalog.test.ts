import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { resolveScenario, resolveSuite } from "../../src/cli/catalog.js";

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
