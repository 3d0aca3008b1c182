/**
 * Ctrl-C during a real run that started the host cluster itself: `benchmark --cluster host
 * --mesh none` begins with no cluster running, so its own plan starts one; it is interrupted
 * once its load is flowing from the loadgen pod. It must exit 130 and leave nothing of the
 * cluster: no process (daemons, shims, the pods' processes), mount, network device, address,
 * iptables chain or rule, pod cgroup, kubeconfig context or state, and nothing `npm run clean --
 * --cluster host --dry-run` would still find.
 *
 * The same probes run while the load is flowing, just before the interrupt, and must find every
 * kind of trace there: that is the wrong twin, which shows each probe can fail. A second run
 * with --keep is interrupted the same way and must leave the cluster running, seen by the same
 * probes; the test then stops it.
 *
 * It stops the cluster it started, so it cannot share one with the tests in test/cluster/:
 * `npm test` runs this folder first, as its own vitest phase, with no cluster running.
 */
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { down } from "../../src/cluster/host/lifecycle.js";
import { processesNaming } from "../../src/cluster/host/daemons.js";
import { stateDir } from "../../src/cluster/host/settings.js";
import { pollUntil } from "../../src/core/timeouts.js";
import { hostSkipReason, TEST_CLUSTER } from "../cluster/host-shared.js";
import { runCli, type CliRun } from "../mesh-host/run-cli.js";
import { baseline, clusterTraces, describeTraces, TRACE_KINDS, type Baseline, type Traces } from "./host-traces.js";

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
/** Every host cluster's state folder sits in this parent, and its processes name that folder. */
const STATE_PARENT = path.join(stateDir(TEST_CLUSTER), "..");

/** The host clusters whose processes run now. */
function runningClusters(): string[] {
  const names = existsSync(STATE_PARENT) ? readdirSync(STATE_PARENT) : [];
  return names.filter((name) => processesNaming(path.join(STATE_PARENT, name) + "/").length > 0);
}

const skip =
  hostSkipReason() ??
  // A developer's running cluster is not this test's to stop. In CI the machine is the run's own:
  // a cluster left running by an earlier session is stopped first (beforeAll), and said so.
  (runningClusters().length > 0 && !process.env.CI ? "a host cluster is running; this test needs none (stop it: npm run clean -- --cluster host)" : undefined);
const suffix = `cold-${randomBytes(3).toString("hex")}`;

interface InterruptedRun extends CliRun {
  /** What the probes found while the load was flowing, just before SIGINT. */
  during: Traces;
  /** `clean --cluster host --dry-run` at the same moment. */
  cleanDuring: string;
}

/** `clean --cluster host --dry-run`: what it would remove (its stdout). */
async function cleanDryRun(): Promise<string> {
  const { stdout } = await exec(process.execPath, ["--import", "tsx", "src/cli/main.ts", "clean", "--cluster", "host", "--cluster-name", TEST_CLUSTER, "--dry-run"], { cwd: ROOT, timeout: 120_000 });
  return stdout;
}

/** A loadgen process inside a pod (its cgroup is the kubelet's): the load is flowing. */
function loadgenInPod(): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "loadgen" && /\/kubepods\//.test(readFileSync(`/proc/${entry}/cgroup`, "utf8"))) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

describe.skipIf(skip)(`Ctrl-C of a run that started the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let before: Baseline;
  let out: string;

  beforeAll(async () => {
    for (const name of runningClusters()) {
      process.stderr.write(`[host cold] host cluster ${name} was running before the tests began; stopping it, since this test must start its own\n`);
      const stopped = await down({ name });
      expect(stopped.problems, `stopping the host cluster ${name} left it running`).toEqual([]);
    }
    expect(runningClusters(), "host clusters still running after the stop").toEqual([]);
    before = await baseline();
    // Whatever the probes find now would be blamed on the run: the machine must start with none.
    expect(describeTraces(await clusterTraces(TEST_CLUSTER, before)), "traces of a host cluster before the run started one").toBe("");
    out = mkdtempSync(path.join(tmpdir(), "meshproof-host-cold-"));
  }, 120_000);

  afterAll(async () => {
    // Only if an assertion failed: never leave a cluster for the next phase to trip over.
    if (processesNaming(stateDir(TEST_CLUSTER) + "/").length > 0) await down({ name: TEST_CLUSTER });
    if (out) rmSync(out, { recursive: true, force: true });
  }, 300_000);

  /** benchmark on the host cluster, interrupted with SIGINT once its load runs in the loadgen pod. */
  async function interruptedRun(runOut: string, extra: string[] = []): Promise<InterruptedRun> {
    let during: Traces | undefined;
    let cleanDuring = "";
    const run = await runCli(
      ["scenario", "benchmark", "--cluster", "host", "--cluster-name", TEST_CLUSTER, "--mesh", "none", "--duration", "60s", "--rate", "2", "--json", "--out", runOut, ...extra],
      {
        timeoutMs: 1_200_000,
        label: "host cold interrupt",
        showStdout: true,
        env: { MESHPROOF_NAMESPACE_SUFFIX: suffix },
        interruptWhen: (line) => /"event":"step-started".*"kind":"measure"/.test(line),
        beforeInterrupt: async () => {
          await pollUntil(async () => loadgenInPod() || "no loadgen process in a pod yet", { what: "the load generator to run in the loadgen pod", timeoutMs: 180_000, intervalMs: 250 });
          during = await clusterTraces(TEST_CLUSTER, before);
          cleanDuring = await cleanDryRun();
        },
      },
    );
    if (!during) throw new Error(`the run ended before its load began (exit ${run.code}):\n${run.stderr.slice(-3000)}`);
    return { ...run, during, cleanDuring };
  }

  it("exits 130 and leaves no process, mount, network device, iptables rule or state of the cluster", async () => {
    const run = await interruptedRun(out);
    expect(run.code).toBe(130);
    expect(run.summary?.aborted).toBe("interrupted");
    expect(run.stdout).toMatch(/"event":"step-finished","where":"cluster cleanup","id":"stop-host-cluster","status":"ok"/);

    // The wrong twin: mid-run, the same probes see every kind of trace, and clean would find them.
    for (const kind of TRACE_KINDS) expect(run.during[kind].length, `${kind} seen while the cluster ran`).toBeGreaterThan(0);
    expect(run.during.processes.join("\n")).toMatch(/\/loadgen /);
    expect(run.cleanDuring).toMatch(/would remove: .*state folder/);

    const after = await clusterTraces(TEST_CLUSTER, before);
    expect(describeTraces(after)).toBe("");
    expect(await cleanDryRun()).toMatch(/nothing of host cluster meshproof is left/);
  }, 1_500_000);

  it("control: the same interrupt with --keep leaves the cluster running, and the probes see it", async () => {
    const keepOut = mkdtempSync(path.join(tmpdir(), "meshproof-host-cold-keep-"));
    try {
      const run = await interruptedRun(keepOut, ["--keep"]);
      expect(run.code).toBe(130);
      expect(run.stdout).toMatch(/"event":"note","message":"cluster: --keep: left in place: undo: start host cluster/);
      const after = await clusterTraces(TEST_CLUSTER, before);
      for (const kind of TRACE_KINDS) expect(after[kind].length, `${kind} left by --keep`).toBeGreaterThan(0);
      expect(await cleanDryRun()).toMatch(/would remove: /);
    } finally {
      const stopped = await down({ name: TEST_CLUSTER });
      rmSync(keepOut, { recursive: true, force: true });
      expect(stopped.problems).toEqual([]);
    }
    // What `npm run clean -- --cluster host` runs removes all of it.
    expect(describeTraces(await clusterTraces(TEST_CLUSTER, before))).toBe("");
  }, 1_500_000);
});
