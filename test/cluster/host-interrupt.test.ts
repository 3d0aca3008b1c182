/**
 * Ctrl-C during a real run on the host cluster, in the case every shared cluster is in: it was
 * already running, so the run reused it. The run is interrupted while its load is running; it
 * must exit 130, leave none of its namespaces (nor anything else carrying its run id), and leave
 * the cluster running and healthy for everyone else on it. Its namespaces carry a suffix of their
 * own (MESHPROOF_NAMESPACE_SUFFIX) so it never touches another run's meshproof-none or outsider.
 * (The case where the run started the cluster, and must stop it, cannot share this cluster:
 * test/cluster-cold/host-interrupt-started.test.ts runs it, before these tests, with none running.)
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_ID_LABEL } from "../../src/stack/labels.js";
import { hostSkipReason, sharedHostCluster, TEST_CLUSTER, type SharedCluster } from "./host-shared.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const skip = hostSkipReason();
const suffix = `int-${randomBytes(3).toString("hex")}`;
const keepSuffix = `${suffix}-k`;
const namespacesOf = (s: string) => [`meshproof-none-${s}`, `meshproof-none-${s}-outsider`, `meshproof-monitoring-${s}`];
const NAMESPACES = namespacesOf(suffix);

describe.skipIf(skip)(`Ctrl-C of a run on the running host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let out: string;

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    out = mkdtempSync(path.join(tmpdir(), "meshproof-host-interrupt-"));
  }, 900_000);

  afterAll(async () => {
    // Only if the assertions below failed: never leave this run's namespaces behind.
    if (cluster) await cluster.kubectl(["delete", "namespace", ...NAMESPACES, "--ignore-not-found", "--wait=false"], { allowFailure: true });
    if (out) rmSync(out, { recursive: true, force: true });
  }, 120_000);

  /** A benchmark run on the host cluster, interrupted with SIGINT once its load is under way. */
  async function interruptedRun(nsSuffix: string, runOut: string, extra: string[] = []): Promise<{ code: number | null | "hung"; stderr: string; runId: string | undefined }> {
    const namespaces = namespacesOf(nsSuffix);
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "scenario", "benchmark", "--cluster", "host", "--cluster-name", TEST_CLUSTER, "--mesh", "none", "--duration", "60s", "--rate", "2", "--out", runOut, ...extra], {
      cwd: ROOT,
      env: { ...process.env, CI: "true", MESHPROOF_NAMESPACE_SUFFIX: nsSuffix },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const loadStarted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the load never started:\n${stderr}`)), 600_000);
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        process.stderr.write(chunk.toString().replace(/^(?=.)/gm, "[host interrupt] "));
        if (/loadgen sweep-1-1|… none \/ benchmark: drive/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await loadStarted;
    // The load is running in the loadgen pod: let it get going, then interrupt as a user would.
    await new Promise((r) => setTimeout(r, 5000));
    const stillThere = (await cluster.kubectl(["get", "namespace", ...namespaces, "--ignore-not-found", "-o", "name"])).stdout.trim().split("\n").filter(Boolean);
    expect(stillThere.length).toBe(3);
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 300_000))]);
    if (code === "hung") child.kill("SIGKILL");

    return { code, stderr, runId: readdirSync(runOut)[0] };
  }

  it("removes the run's namespaces, exits 130 and leaves the cluster running and healthy", async () => {
    const { code, stderr, runId } = await interruptedRun(suffix, out);
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping; cleaning up/);
    expect(runId).toBeDefined();
    // Nothing of this run is left: not its namespaces, not any object labelled with its run id.
    const left = await cluster.kubectl(["get", "namespace", ...NAMESPACES, "--ignore-not-found", "-o", "name"]);
    expect(left.stdout.trim()).toBe("");
    const labelled = await cluster.kubectl(["get", "namespaces,roles,rolebindings,clusterroles,clusterrolebindings", "-A", "-l", `${RUN_ID_LABEL}=${runId}`, "-o", "name"]);
    expect(labelled.stdout.trim()).toBe("");
    // The cluster it reused is still up, serving, and its node Ready.
    expect((await cluster.kubectl(["get", "--raw", "/readyz"])).stdout.trim()).toBe("ok");
    const ready = await cluster.kubectl(["get", "nodes", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}"]);
    expect(ready.stdout.trim()).toBe("True");
    // Every daemon of the cluster is still running and ready, as its own status reports it.
    const status = await new Promise<string>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", "src/cluster/host/main.ts", "status", "--name", TEST_CLUSTER], { cwd: ROOT, timeout: 120_000 }, (_err, stdout) => resolve(stdout)),
    );
    for (const daemon of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "containerd", "kubelet", "kube-proxy", "coredns"]) {
      expect(status).toMatch(new RegExp(`${daemon}\\s+pid \\d+\\s+ready`));
    }
  }, 1_200_000);
  it("control: the same interrupt with --keep leaves the namespaces, so the check above can tell", async () => {
    const keepOut = mkdtempSync(path.join(tmpdir(), "meshproof-host-interrupt-keep-"));
    try {
      const { code, runId } = await interruptedRun(keepSuffix, keepOut, ["--keep"]);
      expect(code).toBe(130);
      const left = await cluster.kubectl(["get", "namespace", ...namespacesOf(keepSuffix), "--ignore-not-found", "-o", "name"]);
      expect(left.stdout.trim().split("\n").filter(Boolean).length).toBe(3);
      const labelled = await cluster.kubectl(["get", "namespaces", "-l", `${RUN_ID_LABEL}=${runId}`, "-o", "name"]);
      expect(labelled.stdout.trim()).not.toBe("");
    } finally {
      await cluster.kubectl(["delete", "namespace", ...namespacesOf(keepSuffix), "--ignore-not-found", "--wait=true", "--timeout=180s"], { allowFailure: true, timeoutMs: 200_000 });
      rmSync(keepOut, { recursive: true, force: true });
    }
  }, 1_200_000);
});
