import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadResults } from "../../src/report/load-results.js";
import { writeReports } from "../../src/report/write.js";
import { canaryRun } from "./fixtures.js";

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("writeReports", () => {
  it("writes results.json and the four reports into the run folder, creating it", async () => {
    const root = await mkdtemp(join(tmpdir(), "meshproof-report-"));
    dirs.push(root);
    const results = canaryRun();
    const runDir = join(root, results.runId);
    const paths = await writeReports(results, runDir);
    expect(paths.map((p) => p.slice(runDir.length + 1))).toEqual(["results.json", "report.md", "report.html", "junit.xml", "conformance.yaml", "smp.json"]);
    const json = await readFile(join(runDir, "results.json"), "utf8");
    expect(json).toContain('\n  "schemaVersion": 1,');
    expect(await loadResults(join(runDir, "results.json"))).toEqual(results);
    expect(await readFile(join(runDir, "report.md"), "utf8")).toMatch(/^# meshproof scenario canary/);
    expect(await readFile(join(runDir, "junit.xml"), "utf8")).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
  });
});
