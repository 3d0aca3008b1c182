/**
 * vitest global setup: nothing at start but a token naming this run (a run that needs no host
 * cluster starts none); at the end, stop the shared host cluster if a test of this run started it
 * (unless MESHPROOF_KEEP_HOST_CLUSTER=1), and fail the run if the stop left anything behind.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { down } from "../../src/cluster/host/lifecycle.js";
import { TEST_CLUSTER, startedByTests } from "./host-shared.js";

export default function setup(project: TestProject): () => Promise<void> {
  // The tests mark a cluster they start with this run's token, so this teardown stops only a
  // cluster this run started, never one a concurrent vitest run on the machine still uses.
  const run = `${process.pid}-${randomBytes(4).toString("hex")}`;
  project.provide("hostTestRun", run);
  return async () => {
    if (!startedByTests(run) || process.env.MESHPROOF_KEEP_HOST_CLUSTER === "1") return;
    const result = await down({ name: TEST_CLUSTER });
    process.stderr.write(`[host cluster] stopped ${TEST_CLUSTER} in ${result.seconds.toFixed(1)} s\n`);
    // The stop must leave no process, mount, network device, iptables chain or state behind.
    if (result.problems.length > 0) throw new Error(`stopping the host cluster left: ${result.problems.join("; ")}`);
  };
}
