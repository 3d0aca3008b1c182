import { describe, expect, it } from "vitest";
import { findScenario, SCENARIOS } from "../../scenarios/index.js";
import { findSuite, SUITES } from "../../suites/index.js";
import { resolveSuite } from "../../src/cli/definitions.js";

describe("suites", () => {
  it("are nightly, pre-upgrade, conformance and smoke, each named once", () => {
    expect(SUITES.map((s) => s.name)).toEqual(["nightly", "pre-upgrade", "conformance", "smoke"]);
    expect(findSuite("nightly")?.name).toBe("nightly");
    expect(findSuite("weekly")).toBeUndefined();
  });

  it.each(SUITES)("$name names only existing scenarios, once each, on meshes they judge", (suite) => {
    expect(suite.description.length).toBeGreaterThan(10);
    expect(suite.scenarios.length).toBeGreaterThan(0);
    const names = suite.scenarios.map((e) => e.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const entry of suite.scenarios) {
      const scenario = findScenario(entry.name);
      expect(scenario, `${suite.name} names ${entry.name}`).toBeDefined();
      // The baseline joins an entry only where the scenario compares against it.
      if (entry.baseline) expect(scenario!.baseline, `${suite.name}: ${entry.name} with the baseline`).toBe(true);
    }
  });

  it("run every scenario nightly, and conformance has no benchmark or upgrade", () => {
    expect(findSuite("nightly")!.scenarios.map((e) => e.name).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
    const conformance = findSuite("conformance")!.scenarios.map((e) => e.name);
    expect(conformance).not.toContain("benchmark");
    expect(conformance).not.toContain("upgrade");
    expect(findSuite("pre-upgrade")!.scenarios[0]?.name).toBe("upgrade");
  });

  it("resolve through the CLI's catalog to the scenario definitions", () => {
    for (const suite of SUITES) expect(resolveSuite(suite.name).map((s) => s.name)).toEqual(suite.scenarios.map((e) => e.name));
  });
});
