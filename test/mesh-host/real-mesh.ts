/**
 * What the real-mesh test files share: on the one host cluster the tests start or reuse, run
 * scenarios and mutants through the CLI as a user would, on a real mesh, and require each
 * scenario to pass (or be not supported, with a reason) and each mutant to be killed, leaving
 * no namespace behind. Each mesh's file runs its runs one after another; the two files run side
 * by side, so every namespace carries the mesh's own suffix (the shared monitoring namespace too).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshName } from "../../src/mesh/driver.js";
import { hostSkipReason, sharedHostCluster, type SharedCluster } from "../cluster/host-shared.js";
import { runCli } from "./run-cli.js";

type Verdict = { checkId: string; status: string; reason: string };
type Results = {
  targets?: { mesh: string; scenarios: { name: string; status: string; steps?: { id: string; error?: string }[]; verdicts: Verdict[] }[] }[];
  aborted?: string;
  cleanupFailures?: string[];
  mutant?: { name: string; outcomes: { mesh: string; status: string; reason: string }[] };
};

/** Generous: a run on the busy two-core node takes 2 to 5 minutes, an install included. */
const RUN_BUDGET_MS = 20 * 60_000;

export interface RealMeshSuite {
  mesh: Exclude<MeshName, "none">;
  /** Why this mesh cannot run here (setup did not build it), or undefined. */
  missing: () => string | undefined;
  scenarios: string[];
  mutants: string[];
  rate: number;
}

export function describeRealMesh(suite: RealMeshSuite): void {
  const skip = hostSkipReason() ?? suite.missing();
  const suffix = `t-${suite.mesh}`;
  describe.skipIf(skip)(`${suite.mesh} for real on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let cluster: SharedCluster;
    let out: string;
    const run = (args: string[], label: string) =>
      runCli([...args, "--mesh", suite.mesh, "--cluster", "host", "--rate", String(suite.rate), "--json", "--out", out], {
        timeoutMs: RUN_BUDGET_MS,
        label,
        env: { MESHPROOF_NAMESPACE_SUFFIX: suffix },
      });

    beforeAll(async () => {
      cluster = await sharedHostCluster();
      out = mkdtempSync(path.join(tmpdir(), `meshproof-${suite.mesh}-host-`));
    }, 20 * 60_000);

    afterAll(async () => {
      if (!cluster) return;
      const namespaces = (await cluster.kubectl(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"])).stdout.split(/\s+/);
      rmSync(out, { recursive: true, force: true });
      expect(namespaces.filter((ns) => ns.endsWith(suffix)), "namespaces the runs left behind").toEqual([]);
    }, 5 * 60_000);

    for (const scenario of suite.scenarios) {
      it(`${scenario}: every check passes on real traffic, or is not supported with a reason`, async () => {
        const result = await run(["scenario", scenario], `${suite.mesh} ${scenario}`);
        const results = result.results as Results | undefined;
        expect(results, result.stderr.slice(-3000)).toBeDefined();
        const verdicts = (results?.targets ?? []).filter((t) => t.mesh === suite.mesh).flatMap((t) => t.scenarios.flatMap((s) => s.verdicts));
        expect(verdicts.length).toBeGreaterThan(0);
        const bad = verdicts.filter((v) => v.status !== "pass" && !(v.status === "unsupported" && v.reason !== ""));
        expect(bad.map((v) => `${v.checkId}: ${v.status}: ${v.reason}`)).toEqual([]);
        // Every verdict passed, so a non-zero exit comes from the run itself: say what it was.
        expect(result.code, whyNotZero(results, result.stderr)).toBe(0);
      }, RUN_BUDGET_MS + 2 * 60_000);
    }

    for (const mutant of suite.mutants) {
      it(`mutant ${mutant}: the check aimed at it fails on the real mesh (killed)`, async () => {
        const result = await run(["scenario", "--mutant", mutant], `${suite.mesh} mutant ${mutant}`);
        const outcome = (result.results as Results | undefined)?.mutant?.outcomes.find((o) => o.mesh === suite.mesh);
        expect(outcome, result.stderr.slice(-3000)).toBeDefined();
        expect(`${outcome?.status}: ${outcome?.reason}`).toMatch(/^killed/);
        expect(result.code).toBe(0);
      }, RUN_BUDGET_MS + 2 * 60_000);
    }
  });
}

/** What besides the verdicts made a run exit non-zero: an errored scenario, an abort, a failed cleanup, then the end of its stderr. */
function whyNotZero(results: Results | undefined, stderr: string): string {
  const errored = (results?.targets ?? []).flatMap((t) =>
    t.scenarios.flatMap((s) => (s.steps ?? []).filter((step) => step.error).map((step) => `${t.mesh} ${s.name} step ${step.id}: ${step.error}`)),
  );
  return [
    ...errored,
    ...(results?.aborted ? [`aborted: ${results.aborted}`] : []),
    ...(results?.cleanupFailures ?? []).map((f) => `cleanup failed: ${f}`),
    `stderr (end):\n${stderr.slice(-3000)}`,
  ].join("\n");
}
