import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunResultsSchema, resultsJsonSchemaText } from "../../src/report/results-schema.js";
import { abortedRun, benchmarkRun, canaryRun, hostileRun, suiteRun } from "./fixtures.js";
import { RECORDED_DIR } from "./record.js";
import { SCHEMA_FILE, schemaProblems } from "./schema-check.js";

function recorded(): [string, unknown][] {
  return readdirSync(RECORDED_DIR).map((name) => [name, JSON.parse(readFileSync(join(RECORDED_DIR, name, "results.json"), "utf8")) as unknown]);
}

describe("results.json schema", () => {
  it("the committed schemas/results.schema.json is the one the zod schema generates (run npm run schema after a change)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(resultsJsonSchemaText());
  });

  it("every recorded run validates against the published schema and the zod schema", () => {
    const runs = recorded();
    expect(runs.length).toBeGreaterThanOrEqual(6);
    for (const [name, json] of runs) {
      expect(schemaProblems(json), name).toEqual([]);
      expect(RunResultsSchema.safeParse(json).success, name).toBe(true);
    }
  });

  it("every fixture the reporter tests use validates", () => {
    const fixtures = [canaryRun(), abortedRun(), hostileRun(), benchmarkRun(), benchmarkRun({ mesh: "istio", overheadMs: 4 }), suiteRun({ seed: 9, runId: "x" })];
    for (const f of fixtures) expect(schemaProblems(f), f.runId).toEqual([]);
  });

  it("rejects what a broken writer would produce: wrong version, a missing verdict status, a string where a number belongs", () => {
    const wrongVersion = { ...canaryRun(), schemaVersion: 2 };
    expect(schemaProblems(wrongVersion).join()).toMatch(/schemaVersion/);
    const noStatus = canaryRun() as unknown as { targets: { scenarios: { verdicts: Record<string, unknown>[] }[] }[] };
    delete noStatus.targets[0]!.scenarios[0]!.verdicts[0]!["status"];
    expect(schemaProblems(noStatus).join()).toMatch(/verdicts\/0 must have required property 'status'/);
    const stringRate = benchmarkRun() as unknown as { targets: { scenarios: { steps: { load: Record<string, unknown> }[] }[] }[] };
    stringRate.targets[0]!.scenarios[0]!.steps[0]!.load["achievedRps"] = "9.9";
    expect(schemaProblems(stringRate).join()).toMatch(/achievedRps must be number/);
  });

  it("lets unknown fields through, so a newer writer of the same version still validates", () => {
    const newer = { ...canaryRun(), somethingNew: { a: 1 } };
    expect(schemaProblems(newer)).toEqual([]);
  });
});
