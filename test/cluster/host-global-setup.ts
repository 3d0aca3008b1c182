/**
 * vitest global setup: nothing at start (a run that needs no host cluster starts none); at the
 * end, stop the shared host cluster if a test started it (unless MESHPROOF_KEEP_HOST_CLUSTER=1)
 * and fail the run if the stop left anything behind.
 */
import { down } from "../../src/cluster/host/lifecycle.js";
import { TEST_CLUSTER, startedByTests } from "./host-shared.js";

export default function setup(): () => Promise<void> {
  return async () => {
    if (!startedByTests() || process.env.MESHPROOF_KEEP_HOST_CLUSTER === "1") return;
    const result = await down({ name: TEST_CLUSTER });
    process.stderr.write(`[host cluster] stopped ${TEST_CLUSTER} in ${result.seconds.toFixed(1)} s\n`);
    // The stop must leave no process, mount, network device, iptables chain or state behind.
    if (result.problems.length > 0) throw new Error(`stopping the host cluster left: ${result.problems.join("; ")}`);
  };
}
