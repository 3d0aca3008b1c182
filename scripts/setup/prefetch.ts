/**
 * Go module downloads for setup's later builds, started when setup starts so that they overlap
 * with the apt steps and with the compiles before them. On two cores a second compile beside
 * the first gains nothing, but a download (network, unzipping) does: without this, each
 * `go build` first downloads its modules and only then compiles, one step after another.
 *
 * Best effort: a build downloads whatever is still missing itself and reports its own failure,
 * so a failed prefetch only costs the overlap. The downloads run one after another, in the
 * order the builds need them; Go's module cache locks each module, so a build that starts
 * while its modules are still arriving waits for them instead of fetching them twice.
 */
import { COREDNS_MODULE_DIR } from "../../src/cluster/host/settings.js";
import { lastLine, runCommand } from "./common.js";
import { KUBERNETES_MODULE_DIR } from "./host-cluster.js";
import { ISTIO_WRAPPER_MODULE } from "./istio.js";

export interface PrefetchJob {
  /** What the modules are for, as setup's output names it. */
  what: string;
  /** A module folder: `go mod download` there fetches every module its go.mod lists. */
  moduleDir: string;
}

/** The modules of the builds setup is about to run, in the order it runs them. */
export function prefetchJobs(opts: { hostCluster: boolean }): PrefetchJob[] {
  return [
    ...(opts.hostCluster
      ? [
          { what: "Kubernetes", moduleDir: KUBERNETES_MODULE_DIR },
          { what: "CoreDNS", moduleDir: COREDNS_MODULE_DIR },
        ]
      : []),
    { what: "Istio", moduleDir: ISTIO_WRAPPER_MODULE },
  ];
}

export interface Prefetch {
  /** Resolves (never rejects) when every download has ended, with one line saying how it went. */
  done: Promise<string>;
  /** Ends the download under way and starts no other: setup failed and is exiting. */
  stop(): void;
}

/** Start the downloads in the background; `done` says what they did. */
export function startPrefetch(go: string, jobs: readonly PrefetchJob[]): Prefetch {
  const started = performance.now();
  const abort = new AbortController();
  const done = (async () => {
    const failed: string[] = [];
    for (const job of jobs) {
      if (abort.signal.aborted) break;
      const result = await runCommand([go, "mod", "download"], { cwd: job.moduleDir, timeoutMs: 30 * 60_000, signal: abort.signal });
      if (result.code !== 0) failed.push(`${job.what} (${lastLine(result.output)})`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const names = jobs.map((job) => job.what).join(", ");
    return failed.length === 0
      ? `[prefetch] Go modules for ${names}: downloaded in the background, ${seconds} s after setup started`
      : `[prefetch] Go modules for ${names}: ${failed.length} download(s) failed, left to the builds: ${failed.join("; ")}`;
  })();
  return { done, stop: () => abort.abort() };
}
