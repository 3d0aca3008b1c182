/**
 * Setup's background module downloads (scripts/setup/prefetch.ts): which module folders, in
 * which order, and that a failed download is reported, never thrown (the build fetches what
 * is still missing itself).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COREDNS_MODULE_DIR } from "../../src/cluster/host/settings.js";
import { KUBERNETES_MODULE_DIR } from "../../scripts/setup/host-cluster.js";
import { ISTIO_WRAPPER_MODULE } from "../../scripts/setup/istio.js";
import { prefetchJobs, startPrefetch } from "../../scripts/setup/prefetch.js";
import { pollUntil } from "../../src/core/timeouts.js";

const scratch = mkdtempSync(join(tmpdir(), "meshproof-prefetch-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in for go: appends its folder and arguments to a log; fails in the folder named by failIn, or hangs there with hang. */
function fakeGo(log: string, failIn = "", hang = false): string {
  const path = join(scratch, `go-${Math.random().toString(36).slice(2)}`);
  const act = hang ? "exec sleep 600" : `echo "proxy unreachable" >&2; exit 1`;
  writeFileSync(path, `#!/bin/sh\necho "$PWD $*" >> ${log}\ncase "$PWD" in *${failIn || "/nowhere/"}*) ${act};; esac\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("setup's module prefetch", () => {
  it("fetches Kubernetes, CoreDNS and Istio's modules in the order setup builds them", () => {
    expect(prefetchJobs({ hostCluster: true }).map((j) => j.moduleDir)).toEqual([KUBERNETES_MODULE_DIR, COREDNS_MODULE_DIR, ISTIO_WRAPPER_MODULE]);
    expect(prefetchJobs({ hostCluster: false }).map((j) => j.what)).toEqual(["Istio"]);
  });

  it("runs `go mod download` in each module folder, one after another", async () => {
    const log = join(scratch, "ok.log");
    const line = await startPrefetch(fakeGo(log), prefetchJobs({ hostCluster: true })).done;
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls).toEqual([KUBERNETES_MODULE_DIR, COREDNS_MODULE_DIR, ISTIO_WRAPPER_MODULE].map((dir) => `${dir.replace(/\/$/, "")} mod download`));
    expect(line).toMatch(/^\[prefetch\] Go modules for Kubernetes, CoreDNS, Istio: downloaded in the background/);
  });

  it("reports a failed download and goes on with the next, without throwing", async () => {
    const log = join(scratch, "fail.log");
    const line = await startPrefetch(fakeGo(log, "/coredns"), prefetchJobs({ hostCluster: true })).done;
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(3);
    expect(line).toContain("1 download(s) failed, left to the builds: CoreDNS (proxy unreachable)");
  });

  it("ends the download under way and starts no other when setup stops it", async () => {
    const log = join(scratch, "stop.log");
    const prefetch = startPrefetch(fakeGo(log, "/kubernetes", true), prefetchJobs({ hostCluster: true }));
    await pollUntil(async () => existsSync(log) || "not started", { what: "the first download", timeoutMs: 10_000, intervalMs: 20 });
    prefetch.stop();
    const line = await prefetch.done; // long before the 600 s the stand-in sleeps
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(1);
    expect(line).toContain("1 download(s) failed, left to the builds: Kubernetes");
  });
});
