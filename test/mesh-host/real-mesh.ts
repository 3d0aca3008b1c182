/**
 * What the real-mesh test files share: on the one host cluster the tests start or reuse, run
 * every scenario of the catalog with `--mutants` through the CLI as a user would, on a real mesh:
 * suites and single scenarios in lanes side by side, sharing one install of the mesh, each
 * scenario followed by its mutants. Each scenario must pass (or be not
 * supported, with a reason), each of its mutants must be killed (or be not supported, with a
 * reason), and every run must exit 0 and leave no namespace behind. The expected scenarios and
 * mutants come from the catalog, so one the run drops silently fails too. The two meshes' files
 * run side by side, so every namespace carries the mesh's own suffix (the shared monitoring
 * namespace too).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIOS } from "../../scenarios/index.js";
import { mutantsOf } from "../../scenarios/mutants.js";
import type { MeshName } from "../../src/mesh/driver.js";
import { findSuite } from "../../suites/index.js";
import { hostSkipReason, sharedHostCluster, type SharedCluster } from "../cluster/host-shared.js";
import { runCli, type CliRun } from "./run-cli.js";

type Verdict = { checkId: string; status: string; reason: string };
type MutantRecord = { name: string; scenario: string; status: string; reason: string };
type Results = {
  targets?: {
    mesh: string;
    scenarios: { name: string; status: string; steps?: { id: string; status: string; error?: string }[]; verdicts: Verdict[] }[];
    mutants?: MutantRecord[];
  }[];
  aborted?: string;
  cleanupFailures?: string[];
};

/**
 * Generous, per run: on the busy two-core node, with the other mesh's lanes beside it, the
 * longest run (Istio's rate limit, whose windows are minutes long) took about 15 min.
 */
const RUN_BUDGET_MS = 40 * 60_000;
/** How long the later lanes wait for the first lane's control plane before starting anyway. */
const CONTROL_PLANE_WAIT_MS = 20 * 60_000;

/** One CLI run: a suite of suites/, or one scenario, with --mutants. */
export type RealMeshRun = { suite: string } | { scenario: string };

export interface RealMeshSuite {
  mesh: Exclude<MeshName, "none">;
  /** Why this mesh cannot run here (setup did not build it), or undefined. */
  missing: () => string | undefined;
  /**
   * Runs in lanes: the lanes run side by side, each in namespaces of its own, the runs of a lane
   * one after the other. The first lane installs the mesh; the others start once its control
   * plane answers, find it installed and share it, and whichever run ends last removes it (the
   * drivers' clean-up leaves a control plane in place while another run's pods use it). Most
   * scenarios wait on the clock (minute-long timeouts, rate-limit windows, retry budgets), not
   * on the CPU, so lanes are what fits the whole catalog into the test budget.
   */
  lanes: RealMeshRun[][];
  /** kubectl arguments that exit 0 once the mesh's control plane is installed and ready. */
  controlPlaneReady: string[];
  rate: number;
}

function scenariosOf(run: RealMeshRun): string[] {
  if ("scenario" in run) return [run.scenario];
  const definition = findSuite(run.suite);
  if (!definition) throw new Error(`no suite named ${run.suite}`);
  return definition.scenarios.map((s) => s.name);
}

function titleOf(run: RealMeshRun): string {
  return "suite" in run ? `suite ${run.suite}` : `scenario ${run.scenario}`;
}

/** Namespace suffix of a lane: each ends with the mesh's own, so the leftover check finds them all. */
function laneSuffix(mesh: string, lane: number): string {
  return lane === 0 ? `t-${mesh}` : `l${lane}-t-${mesh}`;
}

export function describeRealMesh(suite: RealMeshSuite): void {
  const skip = hostSkipReason() ?? suite.missing();
  const suffix = laneSuffix(suite.mesh, 0);
  const title = suite.lanes.map((lane) => lane.map(titleOf).join(" then ")).join("; ");

  describe.skipIf(skip)(`${suite.mesh} for real on the host cluster, side by side: ${title}; with --mutants${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let cluster: SharedCluster | undefined;
    const outs: string[] = [];
    const runs = new Map<RealMeshRun, CliRun>();

    const runOne = async (what: RealMeshRun, lane: number): Promise<void> => {
      const [command, name] = "suite" in what ? (["suite", what.suite] as const) : (["scenario", what.scenario] as const);
      const out = mkdtempSync(path.join(tmpdir(), `meshproof-${suite.mesh}-host-`));
      outs.push(out);
      const run = await runCli([command, name, "--mutants", "--mesh", suite.mesh, "--cluster", "host", "--rate", String(suite.rate), "--json", "--out", out], {
        timeoutMs: RUN_BUDGET_MS,
        label: `${suite.mesh} ${command} ${name}`,
        env: { MESHPROOF_NAMESPACE_SUFFIX: laneSuffix(suite.mesh, lane) },
      });
      runs.set(what, run);
    };
    const runLane = async (lane: number): Promise<void> => {
      for (const what of suite.lanes[lane]!) await runOne(what, lane);
    };

    beforeAll(async () => {
      cluster = await sharedHostCluster();
      const first = runLane(0);
      let firstDone = false;
      void first.finally(() => (firstDone = true)).catch(() => undefined);
      // The later lanes would race the first to install the control plane: they wait until it
      // answers (or the first lane has ended without it, when they install it themselves).
      const deadline = Date.now() + CONTROL_PLANE_WAIT_MS;
      while (!firstDone && Date.now() < deadline) {
        if ((await cluster.kubectl(suite.controlPlaneReady, { allowFailure: true })).code === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5_000));
      }
      await Promise.all([first, ...suite.lanes.slice(1).map((_, i) => runLane(i + 1))]);
    }, CONTROL_PLANE_WAIT_MS + suite.lanes.reduce((most, lane) => Math.max(most, lane.length), 0) * (RUN_BUDGET_MS + 5 * 60_000));

    afterAll(async () => {
      for (const out of outs) rmSync(out, { recursive: true, force: true });
      if (!cluster) return;
      const namespaces = (await cluster.kubectl(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"])).stdout.split(/\s+/);
      expect(namespaces.filter((ns) => ns.endsWith(suffix)), "namespaces the runs left behind").toEqual([]);
    }, 5 * 60_000);

    it("the lanes hold every scenario of the catalog, each once", () => {
      const laid = suite.lanes.flat().flatMap(scenariosOf).sort();
      expect(laid).toEqual(SCENARIOS.map((s) => s.name).sort());
    });

    for (const what of suite.lanes.flat()) {
      const scenarios = scenariosOf(what);
      const mutants = scenarios.flatMap((s) => mutantsOf(s).map((m) => m.name));

      describe(titleOf(what), () => {
        const run = () => runs.get(what);
        const results = () => run()?.results as Results | undefined;
        const target = () => (results()?.targets ?? []).find((t) => t.mesh === suite.mesh);

        for (const scenario of scenarios) {
          it(`${scenario}: every check passes on real traffic, or is not supported with a reason`, () => {
            expect(results(), `the run wrote no results.json (exit ${run()?.code}):\n${run()?.stderr.slice(-3000)}`).toBeDefined();
            const record = target()?.scenarios.find((s) => s.name === scenario);
            expect(record, `${scenario} is missing from the run's results`).toBeDefined();
            // A scenario with no verdict at all would pass on nothing.
            expect(record!.verdicts.length).toBeGreaterThan(0);
            const bad = record!.verdicts.filter((v) => v.status !== "pass" && !(v.status === "unsupported" && v.reason !== ""));
            expect(bad.map((v) => `${v.checkId}: ${v.status}: ${v.reason}`)).toEqual([]);
            const errored = (record!.steps ?? []).filter((s) => s.status === "failed");
            expect(errored.map((s) => `${s.id}: ${s.error}`), "steps that errored").toEqual([]);
          });
        }

        for (const mutant of mutants) {
          it(`mutant ${mutant}: the check aimed at it fails on the real mesh (killed), or is not supported with a reason`, () => {
            const record = target()?.mutants?.find((m) => m.name === mutant);
            expect(record, `${mutant} is missing from the run's results (exit ${run()?.code})`).toBeDefined();
            const outcome = `${record!.status}: ${record!.reason}`;
            expect(record!.status === "killed" || (record!.status === "unsupported" && record!.reason !== ""), outcome).toBe(true);
          });
        }

        it("the run exits 0, leaving nothing behind that it could not clean up", () => {
          expect(run()?.code, whyNotZero(results(), run()?.stderr ?? "the run did not start")).toBe(0);
        });
      });
    }
  });
}

/** What besides the verdicts made a run exit non-zero: an errored step, an abort, a failed cleanup, then the end of its stderr. */
function whyNotZero(results: Results | undefined, stderr: string): string {
  const errored = (results?.targets ?? []).flatMap((t) =>
    t.scenarios.flatMap((s) => (s.steps ?? []).filter((step) => step.status === "failed").map((step) => `${t.mesh} ${s.name} step ${step.id}: ${step.error}`)),
  );
  return [
    ...errored,
    ...(results?.aborted ? [`aborted: ${results.aborted}`] : []),
    ...(results?.cleanupFailures ?? []).map((f) => `cleanup failed: ${f}`),
    `stderr (end):\n${stderr.slice(-3000)}`,
  ].join("\n");
}
