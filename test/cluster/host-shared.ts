/**
 * One host cluster for every test file that needs one: the first caller starts it (or finds it
 * running, e.g. kept by a developer), later callers reuse it; a lock keeps two workers from
 * starting it at once. It is stopped by the global teardown (host-global-setup.ts) only when a
 * test started it, so a cluster someone kept survives the tests.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { locateBinaries, requireBinaries } from "../../src/cluster/host/binaries.js";
import { up } from "../../src/cluster/host/lifecycle.js";
import { withFileLock } from "../../src/core/file-lock.js";
import { hostLayout } from "../../src/cluster/host/settings.js";
import { inject } from "vitest";
import { ensureImage, imagesCacheDir, importImage, llmSimRecipe, pauseRecipe, type EnsuredImage } from "../../src/cluster/host/images/index.js";

/** The CLI's default name, so a scenario run inside the tests reuses the same cluster. */
export const TEST_CLUSTER = process.env.MESHPROOF_TEST_HOST_CLUSTER ?? "meshproof";
export const STARTED_BY_TESTS = (name = TEST_CLUSTER) => join(hostLayout(name).root, "started-by-tests");
const LOCK = "/tmp/meshproof-host-cluster-test.lock";
const LOCK_WAIT_MS = 15 * 60_000;

/** Why the host cluster tests cannot run here, or undefined when they can. */
export function hostSkipReason(): string | undefined {
  if (process.platform !== "linux") return "the host cluster runs on Linux only";
  if (process.getuid?.() !== 0) return "the host cluster needs root";
  const { missing } = locateBinaries();
  if (missing.length > 0) return `run \`npm run setup\` first; missing: ${missing.join(", ")}`;
  return undefined;
}

export interface SharedCluster {
  name: string;
  context: string;
  kubeconfig: string;
  simImage: EnsuredImage;
  kubectl(args: string[], opts?: { input?: string; allowFailure?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** The images and the started-by-tests mark are made once, by the first worker to get here. */
const withLock = <T>(work: () => Promise<T>) => withFileLock(LOCK, work, { what: "preparing the tests' host cluster", timeoutMs: LOCK_WAIT_MS });

let shared: Promise<SharedCluster> | undefined;

export function sharedHostCluster(): Promise<SharedCluster> {
  shared ??= withLock(async () => {
    const cache = imagesCacheDir();
    const pause = await ensureImage(pauseRecipe, cache);
    const result = await up({ name: TEST_CLUSTER, sandboxImage: pause.ref, log: (l) => process.stderr.write(`[host cluster] ${l}\n`) });
    // The mark names this vitest run: another run on the machine (a developer's second vitest)
    // must not stop, at its end, a cluster this run is still using.
    if (!result.reused) await writeFile(STARTED_BY_TESTS(), `${inject("hostTestRun")}\n`);
    process.stderr.write(`[host cluster] ${result.reused ? "reused" : `started in ${result.seconds.toFixed(1)} s`}: context ${result.context}\n`);
    const target = { address: hostLayout(TEST_CLUSTER).containerdSocket };
    await importImage(target, pause);
    const simImage = await ensureImage(llmSimRecipe, cache);
    await importImage(target, simImage);
    const kubectlBin = requireBinaries().kubectl;
    const kubectl: SharedCluster["kubectl"] = (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const child = execFile(kubectlBin, ["--kubeconfig", result.kubeconfig, ...args], { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
          if (code !== 0 && !opts.allowFailure) reject(new Error(`kubectl ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
          else resolve({ code, stdout, stderr });
        });
        if (opts.input !== undefined) child.stdin?.end(opts.input);
      });
    return { name: TEST_CLUSTER, context: result.context, kubeconfig: result.kubeconfig, simImage, kubectl };
  });
  return shared;
}

/** Whether the vitest run named `run` (host-global-setup's token) started the cluster. */
export function startedByTests(run: string, name = TEST_CLUSTER): boolean {
  const mark = STARTED_BY_TESTS(name);
  return existsSync(mark) && readFileSync(mark, "utf8").trim() === run;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** One token per vitest run, from host-global-setup.ts. */
    hostTestRun: string;
  }
}
