/**
 * `npm run scenario -- benchmark --cluster host --mesh none`, the command a newcomer runs, end
 * to end on the shared host cluster: the plan deploys the stack, runs every sweep step's load
 * from the loadgen pod, and the number of requests results.json records equals what the llm-sim
 * pods themselves counted (llmsim_requests_total, read through the API server's pod proxy after
 * the run, which --keep leaves in place), in total and per version.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIM_APP, SIM_METRICS_PATH, SIM_PORT, VERSION_LABEL } from "../../src/stack/index.js";
import { metricSum } from "../llm-sim/sim-client.js";
import { runCli } from "../mesh-host/run-cli.js";
import { hostSkipReason, sharedHostCluster, TEST_CLUSTER, type SharedCluster } from "./host-shared.js";

const skip = hostSkipReason();
const suffix = `bench-${randomBytes(3).toString("hex")}`;
const NAMESPACE = `meshproof-none-${suffix}`;
const NAMESPACES = [NAMESPACE, `${NAMESPACE}-outsider`, `meshproof-monitoring-${suffix}`];

interface MeasureRecord {
  id: string;
  kind: string;
  load?: { requests: number; outcomes: { version: string; status: number; count: number }[] };
}

describe.skipIf(skip)(`benchmark --mesh none on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let out: string;

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    out = mkdtempSync(path.join(tmpdir(), "meshproof-host-bench-"));
  }, 900_000);

  afterAll(async () => {
    if (cluster) await cluster.kubectl(["delete", "namespace", ...NAMESPACES, "--ignore-not-found", "--wait=false"], { allowFailure: true });
    if (out) rmSync(out, { recursive: true, force: true });
  }, 120_000);

  /** llmsim_requests_total of each llm-sim pod of the run, summed by version. */
  async function servedByVersion(): Promise<Map<string, number>> {
    const pods = (await cluster.kubectl(["get", "pods", "-n", NAMESPACE, "-l", `app=${SIM_APP}`, "-o", `jsonpath={range .items[*]}{.metadata.name} {.metadata.labels.${VERSION_LABEL}}{"\\n"}{end}`])).stdout.trim().split("\n").filter(Boolean);
    expect(pods.length).toBe(2);
    const served = new Map<string, number>();
    for (const line of pods) {
      const [pod, version] = line.split(" ") as [string, string];
      const metrics = (await cluster.kubectl(["get", "--raw", `/api/v1/namespaces/${NAMESPACE}/pods/${pod}:${SIM_PORT}/proxy${SIM_METRICS_PATH}`])).stdout;
      served.set(version, (served.get(version) ?? 0) + metricSum(metrics, "llmsim_requests_total"));
    }
    return served;
  }

  it("runs every sweep step from the loadgen pod; the requests it records equal what llm-sim counted", async () => {
    const run = await runCli(["scenario", "benchmark", "--cluster", "host", "--cluster-name", TEST_CLUSTER, "--mesh", "none", "--rate", "40", "--duration", "10s", "--keep", "--json", "--out", out], {
      // At a base rate of 40/s (the sweep drives 20 to 160/s) a 10 s batch holds the requests the
      // checks need, so a step decides in a batch or two; at the default 10/s (5 to 40/s) the
      // slow steps draw batch after batch. A lower rate makes every step draw more batches, not fewer.
      timeoutMs: 1_200_000,
      label: "host benchmark",
      showStdout: true,
      env: { MESHPROOF_NAMESPACE_SUFFIX: suffix },
    });
    expect(run.results, `the run wrote no results.json (exit ${run.code}):\n${run.stderr.slice(-3000)}`).toBeDefined();
    // Verdicts may be inconclusive at so short a duration; the run itself must not have broken off.
    expect(run.summary?.aborted).toBeUndefined();
    const targets = run.results!.targets as { mesh: string; scenarios: { steps: MeasureRecord[] }[] }[];
    const measures = targets.flatMap((t) => t.scenarios.flatMap((s) => s.steps.filter((st) => st.kind === "measure")));
    expect(measures.map((m) => m.id)).toEqual(["sweep-1", "sweep-2", "sweep-3", "sweep-4"]);
    for (const m of measures) expect(m.load?.requests, `${m.id} sent requests`).toBeGreaterThan(0);

    const recorded = measures.reduce((a, m) => a + m.load!.requests, 0);
    const recordedByVersion = new Map<string, number>();
    for (const o of measures.flatMap((m) => m.load!.outcomes)) recordedByVersion.set(o.version, (recordedByVersion.get(o.version) ?? 0) + o.count);
    const served = await servedByVersion();
    const servedTotal = [...served.values()].reduce((a, b) => a + b, 0);

    expect(servedTotal).toBe(recorded);
    expect(Object.fromEntries([...served].sort())).toEqual(Object.fromEntries([...recordedByVersion].sort()));
    // Not an equality that holds whatever the run did: leaving out any one step breaks it.
    for (const m of measures) expect(recorded - m.load!.requests).not.toBe(servedTotal);
  }, 1_300_000);
});
