/**
 * A run stops the host cluster at its end only if it started it. On a busy machine the run's
 * "is it running" probe can say no for a cluster that runs (a daemon slow to answer), and the
 * run then calls `up`, which reuses it: the clean-up must still leave it running for everyone
 * else on it. (Seen: a mutant run's clean-up stopped the cluster under the other tests.)
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { hostSkipReason, sharedHostCluster, TEST_CLUSTER } from "./host-shared.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const hostCommand = (args: string[]) => run(process.execPath, ["--import", "tsx", "src/cluster/host/main.ts", ...args, "--name", TEST_CLUSTER], { cwd: ROOT, timeout: 300_000 });
const skip = hostSkipReason();

describe.skipIf(skip)(`host cluster ownership${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("`up --started-by` on a running cluster claims nothing, and `down --if-started-by` that run leaves it running", async () => {
    const cluster = await sharedHostCluster();
    // It may restart a daemon that stopped answering; the API server it finds running.
    await hostCommand(["up", "--started-by", "run-that-reused-it"]);
    const down = await hostCommand(["down", "--if-started-by", "run-that-reused-it"]);
    expect(down.stdout).toMatch(/left running \(run run-that-reused-it did not start it/);
    const ready = await cluster.kubectl(["get", "--raw", "/readyz"]);
    expect(ready.stdout.trim()).toBe("ok");
  }, 400_000);
});
