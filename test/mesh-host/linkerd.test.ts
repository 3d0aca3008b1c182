/**
 * Linkerd for real on the host cluster (version-2.20 built from source, the built-from-source
 * variant): the nightly suite on Linkerd, which judges every Linkerd scenario in one install and
 * the benchmark against the no-mesh baseline on real traffic, must pass or report a scenario not
 * supported with its reason (the upgrade: there is no second Linkerd build); and every Linkerd
 * mutant, each a deliberately wrong mesh configuration or backend, must fail the check aimed at
 * it. Both run at 100 requests/s: the sequential checks draw the requests their error bounds need
 * whatever the rate, so a higher rate shortens the runs without widening a band (retries and
 * timeouts cap their own rates). Mirrors istio.test.ts; the two share the cluster at once, each in
 * namespaces of its own.
 *
 * Skipped only where the host cluster cannot run or setup found no Linkerd binaries
 * (MESHPROOF_LINKERD_BINARIES, or the archive in ../shared); after setup it runs.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { mutantsRunnableOn } from "../../src/cli/mutant.js";
import { hostSkipReason, sharedHostCluster, type SharedCluster } from "../cluster/host-shared.js";
import { runCli } from "./run-cli.js";

function skipReason(): string | undefined {
  const host = hostSkipReason();
  if (host) return host;
  if (!readMeshBuilds().linkerd) return "run `npm run setup` first with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES or ../shared/linkerd-2.20-linux-amd64.tar.gz)";
  return undefined;
}

const skip = skipReason();
const RATE = "100";
const NIGHTLY_BUDGET_MS = 75 * 60_000;
const MUTANTS_BUDGET_MS = 75 * 60_000;
/** What the Linkerd runs create; all must be gone afterwards (linkerd only if these tests installed it). */
const LINKERD_NAMESPACES = ["meshproof-linkerd", "meshproof-linkerd-outsider", "meshproof-none-linkerd", "meshproof-none-linkerd-outsider"];

type Verdict = { checkId: string; status: string; reason: string };
type Results = {
  targets?: { mesh: string; scenarios: { name: string; status: string; verdicts: Verdict[]; steps: { status: string; unsupported?: { reason: string } }[] }[] }[];
  variants?: Record<string, { name: string }>;
};

/** Every verdict of the run, named mesh/scenario/check. */
function verdictsOf(results: Results | undefined): (Verdict & { where: string })[] {
  return (results?.targets ?? []).flatMap((t) => t.scenarios.flatMap((s) => s.verdicts.map((v) => ({ ...v, where: `${t.mesh}/${s.name}/${v.checkId}` }))));
}

describe.skipIf(skip)(`Linkerd (built from source) on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let out: string;
  let linkerdWasThere = false;
  // MESHPROOF_TEST_LINKERD_OUT keeps the run folders (reports, evidence) after the test.
  const kept = process.env.MESHPROOF_TEST_LINKERD_OUT;

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    linkerdWasThere = (await cluster.kubectl(["get", "namespace", "linkerd"], { allowFailure: true })).code === 0;
    out = kept ?? mkdtempSync(path.join(tmpdir(), "meshproof-linkerd-host-"));
  }, 20 * 60_000);

  afterAll(async () => {
    if (!cluster) return;
    const left: string[] = [];
    for (const ns of [...LINKERD_NAMESPACES, ...(linkerdWasThere ? [] : ["linkerd"])]) {
      const got = await cluster.kubectl(["get", "namespace", ns, "-o", "name"], { allowFailure: true });
      if (got.code === 0 && got.stdout.trim() !== "") left.push(ns);
    }
    const crds = linkerdWasThere ? "" : (await cluster.kubectl(["get", "crd", "-l", "linkerd.io/control-plane-ns=linkerd", "-o", "name"], { allowFailure: true })).stdout.trim();
    if (!kept) rmSync(out, { recursive: true, force: true });
    expect(left, "namespaces the Linkerd runs left behind").toEqual([]);
    expect(crds, "Linkerd CRDs the runs left behind").toBe("");
  }, 5 * 60_000);

  it("nightly: every Linkerd scenario passes or is not supported with a reason, the benchmark against the baseline included", async () => {
    const started = Date.now();
    const run = await runCli(["suite", "nightly", "--mesh", "linkerd", "--cluster", "host", "--rate", RATE, "--json", "--out", path.join(out, "nightly")], {
      timeoutMs: NIGHTLY_BUDGET_MS,
      label: "linkerd nightly",
    });
    process.stderr.write(`[linkerd nightly] exit ${run.code} after ${((Date.now() - started) / 60_000).toFixed(1)} min, report ${run.summary?.runDir ?? "(none)"}\n`);
    expect(run.results, run.stderr.slice(-3000)).toBeDefined();
    const results = run.results as Results;
    const verdicts = verdictsOf(results);
    const bad = verdicts.filter((v) => v.status !== "pass" && v.status !== "unsupported");
    expect(bad.map((v) => `${v.where}: ${v.status}: ${v.reason}`)).toEqual([]);
    for (const v of verdicts.filter((x) => x.status === "unsupported")) expect(v.reason, v.where).not.toBe("");
    expect(verdicts.filter((v) => v.status === "pass").length).toBeGreaterThan(50);
    expect(results.variants?.linkerd?.name).toBe("built-from-source");
    expect((results.targets ?? []).map((t) => t.mesh).sort()).toEqual(["linkerd", "none"]);
    const linkerd = results.targets?.find((t) => t.mesh === "linkerd");
    expect(linkerd?.scenarios.map((s) => s.name).sort()).toEqual(
      ["authz", "benchmark", "canary", "circuit-breaking", "fault-injection", "header-routing", "mtls", "rate-limit", "retries", "timeouts", "upgrade"],
    );
    // Upgrade: one Linkerd is built from source here, so it is not supported, and says why.
    const upgrade = linkerd?.scenarios.find((s) => s.name === "upgrade");
    expect(upgrade?.steps.find((s) => s.status === "unsupported")?.unsupported?.reason).toMatch(/no second version/);
    expect(run.code).toBe(0);
  }, NIGHTLY_BUDGET_MS + 5 * 60_000);

  it("every Linkerd mutant fails the check aimed at it (killed), or is not supported with a reason", async () => {
    const started = Date.now();
    const dir = path.join(out, "mutants");
    const run = await runCli(["scenario", "--mutant", "all", "--mesh", "linkerd", "--cluster", "host", "--rate", RATE, "--json", "--out", dir], {
      timeoutMs: MUTANTS_BUDGET_MS,
      label: "linkerd mutants",
    });
    process.stderr.write(`[linkerd mutants] exit ${run.code} after ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
    const outcomes: { name: string; status: string; reason: string }[] = [];
    for (const runId of existsSync(dir) ? readdirSync(dir) : []) {
      const file = path.join(dir, runId, "results.json");
      if (!existsSync(file)) continue;
      const results = JSON.parse(readFileSync(file, "utf8")) as { mutant?: { name: string; outcomes: { mesh: string; status: string; reason: string }[] } };
      for (const o of results.mutant?.outcomes ?? []) if (o.mesh === "linkerd") outcomes.push({ name: results.mutant?.name ?? runId, status: o.status, reason: o.reason });
    }
    process.stderr.write(outcomes.map((o) => `[linkerd mutants] ${o.name}: ${o.status} — ${o.reason}\n`).join(""));
    const expected = mutantsRunnableOn("host", "linkerd").map((m) => m.name).sort();
    expect(outcomes.map((o) => o.name).sort()).toEqual(expected);
    const notKilled = outcomes.filter((o) => o.status !== "killed" && !(o.status === "unsupported" && o.reason !== ""));
    expect(notKilled.map((o) => `${o.name}: ${o.status} (${o.reason})`)).toEqual([]);
    expect(run.code).toBe(0);
  }, MUTANTS_BUDGET_MS + 5 * 60_000);
});
