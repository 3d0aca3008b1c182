/**
 * Istio for real on the host cluster (the upstream-envoy variant setup builds): the nightly suite
 * on Istio, which judges every Istio scenario and the benchmark against the no-mesh baseline on
 * real traffic, must pass or report a scenario not supported with its reason; and every Istio
 * mutant, each a deliberately wrong mesh configuration or backend, must fail the check aimed at
 * it. Both run at 100 requests/s: the sequential checks draw the requests their error bounds need
 * whatever the rate, so a higher rate shortens the runs without widening a band.
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
  const builds = readMeshBuilds();
  if (!builds.istio || !builds.envoy) return "run `npm run setup` first: it builds Istio's upstream-envoy variant";
  return undefined;
}

const skip = skipReason();
const RATE = "100";
const NIGHTLY_BUDGET_MS = 75 * 60_000;
const MUTANTS_BUDGET_MS = 75 * 60_000;
const ISTIO_NAMESPACES = ["meshproof-istio", "meshproof-none"];

type Verdict = { checkId: string; status: string; reason: string };
type Results = { targets?: { mesh: string; scenarios: { name: string; status: string; verdicts: Verdict[]; steps: { status: string; unsupported?: { reason: string } }[] }[] }[] };

/** Every verdict of the run, named mesh/scenario/check. */
function verdictsOf(results: Results | undefined): (Verdict & { where: string })[] {
  return (results?.targets ?? []).flatMap((t) => t.scenarios.flatMap((s) => s.verdicts.map((v) => ({ ...v, where: `${t.mesh}/${s.name}/${v.checkId}` }))));
}

describe.skipIf(skip)(`Istio (upstream-envoy) on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let out: string;
  let istioWasThere = false;

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    istioWasThere = (await cluster.kubectl(["get", "namespace", "istio-system"], { allowFailure: true })).code === 0;
    out = mkdtempSync(path.join(tmpdir(), "meshproof-istio-host-"));
  }, 20 * 60_000);

  afterAll(async () => {
    if (!cluster) return;
    // Nothing left behind: the runs' namespaces are gone, and istio-system too unless it was there before.
    const left: string[] = [];
    for (const ns of [...ISTIO_NAMESPACES, ...(istioWasThere ? [] : ["istio-system"])]) {
      const got = await cluster.kubectl(["get", "namespace", ns, "-o", "name"], { allowFailure: true });
      if (got.code === 0 && got.stdout.trim() !== "") left.push(ns);
    }
    rmSync(out, { recursive: true, force: true });
    expect(left, "namespaces the Istio runs left behind").toEqual([]);
  }, 5 * 60_000);

  it("nightly: every Istio scenario passes or is not supported with a reason, the benchmark against the baseline included", async () => {
    const started = Date.now();
    const run = await runCli(["suite", "nightly", "--mesh", "istio", "--cluster", "host", "--rate", RATE, "--json", "--out", path.join(out, "nightly")], {
      timeoutMs: NIGHTLY_BUDGET_MS,
      label: "istio nightly",
    });
    process.stderr.write(`[istio nightly] exit ${run.code} after ${((Date.now() - started) / 60_000).toFixed(1)} min, report ${run.summary?.runDir ?? "(none)"}\n`);
    expect(run.results, run.stderr.slice(-3000)).toBeDefined();
    const results = run.results as Results;
    const verdicts = verdictsOf(results);
    const bad = verdicts.filter((v) => v.status !== "pass" && v.status !== "unsupported");
    expect(bad.map((v) => `${v.where}: ${v.status}: ${v.reason}`)).toEqual([]);
    for (const v of verdicts.filter((x) => x.status === "unsupported")) expect(v.reason, v.where).not.toBe("");
    expect(verdicts.filter((v) => v.status === "pass").length).toBeGreaterThan(50);
    // The benchmark compares Istio with the baseline on the same cluster.
    expect((results.targets ?? []).map((t) => t.mesh).sort()).toEqual(["istio", "none"]);
    const istio = results.targets?.find((t) => t.mesh === "istio");
    expect(istio?.scenarios.map((s) => s.name).sort()).toEqual(
      ["authz", "benchmark", "canary", "circuit-breaking", "fault-injection", "header-routing", "mtls", "rate-limit", "retries", "timeouts", "upgrade"],
    );
    // Upgrade: one Istio is built here, so it is not supported, and says why.
    const upgrade = istio?.scenarios.find((s) => s.name === "upgrade");
    expect(upgrade?.steps.find((s) => s.status === "unsupported")?.unsupported?.reason).toMatch(/no second version/);
    expect(run.code).toBe(0);
  }, NIGHTLY_BUDGET_MS + 5 * 60_000);

  it("every Istio mutant fails the check aimed at it (killed), or is not supported with a reason", async () => {
    const started = Date.now();
    const dir = path.join(out, "mutants");
    const run = await runCli(["scenario", "--mutant", "all", "--mesh", "istio", "--cluster", "host", "--rate", RATE, "--json", "--out", dir], {
      timeoutMs: MUTANTS_BUDGET_MS,
      label: "istio mutants",
    });
    process.stderr.write(`[istio mutants] exit ${run.code} after ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
    const outcomes: { name: string; status: string; reason: string }[] = [];
    for (const runId of existsSync(dir) ? readdirSync(dir) : []) {
      const file = path.join(dir, runId, "results.json");
      if (!existsSync(file)) continue;
      const results = JSON.parse(readFileSync(file, "utf8")) as { mutant?: { name: string; outcomes: { mesh: string; status: string; reason: string }[] } };
      for (const o of results.mutant?.outcomes ?? []) if (o.mesh === "istio") outcomes.push({ name: results.mutant?.name ?? runId, status: o.status, reason: o.reason });
    }
    process.stderr.write(outcomes.map((o) => `[istio mutants] ${o.name}: ${o.status} — ${o.reason}\n`).join(""));
    const expected = mutantsRunnableOn("host", "istio").map((m) => m.name).sort();
    expect(outcomes.map((o) => o.name).sort()).toEqual(expected);
    const notKilled = outcomes.filter((o) => o.status !== "killed" && !(o.status === "unsupported" && o.reason !== ""));
    expect(notKilled.map((o) => `${o.name}: ${o.status} (${o.reason})`)).toEqual([]);
    expect(run.code).toBe(0);
  }, MUTANTS_BUDGET_MS + 5 * 60_000);
});
