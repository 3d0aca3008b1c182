/**
 * What the real-mesh test files share: on the one host cluster the tests start or reuse, one CLI
 * run per mesh, as a user would run it (`suite <suite> --mutants`): one install of the real mesh,
 * every scenario of the suite, each followed by its mutants on the same install. Each scenario
 * must pass (or be not supported, with a reason), each mutant must be killed (or not supported,
 * with a reason), the run must exit 0 and leave no namespace behind. The two files run side by
 * side, so every namespace carries the mesh's own suffix (the shared monitoring namespace too).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshName } from "../../src/mesh/driver.js";
import { hostSkipReason, sharedHostCluster, type SharedCluster } from "../cluster/host-shared.js";
import { runCli, type CliRun } from "./run-cli.js";

type Verdict = { checkId: string; status: string; reason: string };
type Results = {
  durationMs?: number;
  targets?: {
    mesh: string;
    scenarios: { name: string; status: string; verdicts: Verdict[]; steps: { id: string; status: string; durationMs: number; unsupported?: { reason: string } }[] }[];
    mutants?: { name: string; scenario: string; status: string; reason: string; durationMs: number }[];
  }[];
};

export interface RealMeshSuite {
  mesh: Exclude<MeshName, "none">;
  /** Why this mesh cannot run here (setup did not build it), or undefined. */
  missing: () => string | undefined;
  /** The suite the one run judges (every scenario on this mesh, and the baseline where it compares). */
  suite: string;
  /** The scenarios the suite must have judged on this mesh, each with its mutants. */
  scenarios: string[];
  /** Mutants of those scenarios the suite must have judged (killed, or not supported with a reason). */
  mutants: string[];
  rate: number;
  /** Limit of the whole run: the install, every scenario and mutant, the teardown. */
  budgetMs: number;
}

export function describeRealMesh(suite: RealMeshSuite): void {
  const skip = hostSkipReason() ?? suite.missing();
  const suffix = `t-${suite.mesh}`;
  describe.skipIf(skip)(`${suite.mesh} for real on the host cluster: suite ${suite.suite} with its mutants, one install${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let cluster: SharedCluster;
    let out: string;
    let run: CliRun | undefined;
    let results: Results | undefined;
    const target = () => results?.targets?.find((t) => t.mesh === suite.mesh);

    beforeAll(async () => {
      cluster = await sharedHostCluster();
      out = mkdtempSync(path.join(tmpdir(), `meshproof-${suite.mesh}-host-`));
      run = await runCli(["suite", suite.suite, "--mutants", "--mesh", suite.mesh, "--cluster", "host", "--rate", String(suite.rate), "--json", "--out", out], {
        timeoutMs: suite.budgetMs,
        label: `${suite.mesh} ${suite.suite} --mutants`,
        env: { MESHPROOF_NAMESPACE_SUFFIX: suffix },
      });
      results = run.results as Results | undefined;
      // The figures the CI budget is planned from, in the test log.
      const t = target();
      const line = (name: string, ms: number, status: string) => `  ${name.padEnd(32)} ${(ms / 1000).toFixed(0).padStart(5)} s  ${status}`;
      process.stderr.write(
        [
          `[${suite.mesh}] suite ${suite.suite} --mutants: exit ${run.code}, ${((results?.durationMs ?? 0) / 1000).toFixed(0)} s`,
          ...(t?.scenarios ?? []).map((s) => line(s.name, s.steps.reduce((a, x) => a + x.durationMs, 0), s.status)),
          ...(t?.mutants ?? []).map((m) => line(`mutant ${m.name}`, m.durationMs, m.status)),
          "",
        ].join("\n"),
      );
    }, suite.budgetMs + 20 * 60_000);

    afterAll(async () => {
      if (!cluster) return;
      const namespaces = (await cluster.kubectl(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"])).stdout.split(/\s+/);
      rmSync(out, { recursive: true, force: true });
      expect(namespaces.filter((ns) => ns.endsWith(suffix)), "namespaces the run left behind").toEqual([]);
    }, 5 * 60_000);

    for (const scenario of suite.scenarios) {
      it(`${scenario}: every check passes on real traffic, or is not supported with a reason`, () => {
        expect(results, run?.stderr.slice(-3000)).toBeDefined();
        const record = target()?.scenarios.find((s) => s.name === scenario);
        expect(record, `scenario ${scenario} was not run`).toBeDefined();
        // A scenario this mesh cannot run at all (the upgrade, with one build of each mesh here)
        // records its gap as an unsupported step, with its reason, and no verdicts.
        const gaps = record!.steps.filter((x) => x.status === "unsupported" && (x.unsupported?.reason ?? "") !== "");
        if (record!.verdicts.length === 0) expect(gaps.map((g) => g.id), `${scenario} judged nothing and names no gap`).not.toEqual([]);
        expect(record!.verdicts.length + gaps.length).toBeGreaterThan(0);
        const bad = record!.verdicts.filter((v) => v.status !== "pass" && !(v.status === "unsupported" && v.reason !== ""));
        expect(bad.map((v) => `${v.checkId}: ${v.status}: ${v.reason}`)).toEqual([]);
        expect(record!.status).not.toBe("error");
      });
    }

    for (const mutant of suite.mutants) {
      it(`mutant ${mutant}: the check aimed at it fails on the real mesh (killed), or is not supported with a reason`, () => {
        expect(results, run?.stderr.slice(-3000)).toBeDefined();
        const outcome = target()?.mutants?.find((m) => m.name === mutant);
        expect(outcome, `mutant ${mutant} was not run`).toBeDefined();
        expect(`${outcome!.status}: ${outcome!.reason}`).toMatch(outcome!.status === "unsupported" ? /^unsupported: .+/ : /^killed: /);
      });
    }

    it("the run exits 0: every scenario passed or is not supported, every mutant killed or not supported", () => {
      expect(run?.code, run?.stderr.slice(-3000)).toBe(0);
    });
  });
}
