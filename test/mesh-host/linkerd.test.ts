/**
 * Real Linkerd (version-2.20 built from source) on the shared host cluster: every Linkerd policy
 * scenario in one conformance run (one install), the benchmark against the no-mesh baseline,
 * the upgrade's honest "not supported", and every Linkerd mutant killed. Runs the CLI as a user
 * would; the runs install and remove Linkerd themselves, and the test checks nothing is left.
 *
 * Skipped only where the host cluster cannot run or setup found no Linkerd binaries
 * (MESHPROOF_LINKERD_BINARIES, or the archive in ../shared); after setup it runs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { hostSkipReason, sharedHostCluster, type SharedCluster } from "../cluster/host-shared.js";
import { runCli } from "./run-cli.js";

const skip = hostSkipReason() ?? (readMeshBuilds().linkerd ? undefined : "run `npm run setup` with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES) first");
/**
 * Offered load of every step: the sample sizes are the checks' own (the statistical plans do not
 * change), so a higher rate only gathers them sooner; the mutants show the checks still fail.
 */
const RATE = process.env.MESHPROOF_TEST_LINKERD_RATE ?? "100";
const MIN = 60_000;

type Verdict = { id?: string; status: string; claim: string; reason?: string };
type Results = { targets?: Array<{ mesh: string; scenarios: Array<{ name: string; status: string; verdicts: Verdict[] }> }>; variants?: Record<string, { name: string }>; mutant?: { name: string; outcomes: Array<{ mesh: string; status: string; reason: string }> } };

function resultsUnder(dir: string): Results[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "results.json")))
    .map((d) => JSON.parse(readFileSync(path.join(dir, d.name, "results.json"), "utf8")) as Results);
}

function verdictsOf(results: Results | undefined): Verdict[] {
  return (results?.targets ?? []).flatMap((t) => t.scenarios.flatMap((s) => s.verdicts));
}

describe.skipIf(skip !== undefined)(`real Linkerd on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  // MESHPROOF_TEST_LINKERD_OUT keeps the run folders (reports, evidence) after the test.
  const kept = process.env.MESHPROOF_TEST_LINKERD_OUT;
  const out = kept ?? mkdtempSync(path.join(tmpdir(), "meshproof-linkerd-"));

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    // Another run's Linkerd would be skipped by the install and judged instead of ours.
    const existing = await cluster.kubectl(["get", "namespace", "linkerd"], { allowFailure: true });
    expect(existing.code, "a Linkerd is already installed on the shared cluster; these tests install their own").not.toBe(0);
  }, 20 * MIN);

  afterAll(async () => {
    if (!cluster) return;
    // The runs remove what they installed; anything left is a cleanup defect.
    const left = await cluster.kubectl(["get", "namespaces", "-o", "name"], { allowFailure: true });
    expect(left.stdout.split("\n").filter((n) => /^namespace\/(linkerd|meshproof-linkerd)/.test(n))).toEqual([]);
    const crds = await cluster.kubectl(["get", "crd", "-l", "linkerd.io/control-plane-ns=linkerd", "-o", "name"], { allowFailure: true });
    expect(crds.stdout.trim()).toBe("");
    if (!kept) rmSync(out, { recursive: true, force: true });
  }, 5 * MIN);

  it("every policy scenario passes on real Linkerd, or is not supported with a reason, in one install", async () => {
    const dir = path.join(out, "conformance");
    const run = await runCli(["suite", "conformance", "--cluster", "host", "--mesh", "linkerd", "--rate", RATE, "--json", "--out", dir], { timeoutMs: 40 * MIN, label: "linkerd conformance" });
    const verdicts = verdictsOf(run.results as Results | undefined);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.filter((v) => v.status !== "pass" && v.status !== "unsupported")).toEqual([]);
    for (const v of verdicts.filter((x) => x.status === "unsupported")) expect(v.reason ?? "").not.toBe("");
    expect((run.results as Results).variants?.linkerd?.name).toBe("built-from-source");
    expect(run.code).toBe(0);
  }, 45 * MIN);

  it("every Linkerd mutant is killed by the check aimed at it", async () => {
    const dir = path.join(out, "mutants");
    const run = await runCli(["scenario", "--mutant", "all", "--cluster", "host", "--mesh", "linkerd", "--rate", RATE, "--json", "--out", dir], { timeoutMs: 90 * MIN, label: "linkerd mutants" });
    const outcomes = resultsUnder(dir).flatMap((r) => (r.mutant?.outcomes ?? []).map((o) => ({ mutant: r.mutant?.name, ...o })));
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== "killed" && o.status !== "unsupported")).toEqual([]);
    expect(run.code).toBe(0);
  }, 95 * MIN);
});
