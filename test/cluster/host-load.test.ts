/**
 * Load from inside the cluster, for real: the reference stack (mesh `none`) with the loadgen
 * image, meshproof's load generator exec'd in the loadgen pod against the llm-sim Service, and
 * its request count checked against what the llm-sim pods themselves counted (/metrics, read
 * through the API server's pod proxy, so no second client is involved).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClientFor, type KubeClient } from "../../src/cluster/kube.js";
import { requireBinaries } from "../../src/cluster/host/binaries.js";
import { hostLayout } from "../../src/cluster/host/settings.js";
import { ensureImage, imagesCacheDir, importImage, loadgenRecipe } from "../../src/cluster/host/images/index.js";
import { findTool } from "../../src/core/tools.js";
import { pollUntil } from "../../src/core/timeouts.js";
import { LoadProfile, runLoadgen } from "../../src/load/index.js";
import { noneDriver } from "../../src/mesh/none/index.js";
import { MONITORING_NAMESPACE, referenceStack, simDeploymentName, type ReferenceStack } from "../../src/stack/index.js";
import { metricSum } from "../llm-sim/sim-client.js";
import { hostSkipReason, sharedHostCluster, TEST_CLUSTER, type SharedCluster } from "./host-shared.js";

const skip = hostSkipReason();
const suffix = randomBytes(3).toString("hex");
const NAMESPACE = `meshproof-hostload-${suffix}`;
const OUTSIDER = `meshproof-hostload-out-${suffix}`;
const VERSIONS = ["stable", "canary"];

describe.skipIf(skip)(`load from the loadgen pod on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let kube: KubeClient;
  let stack: ReferenceStack;
  let manifests: ReferenceStack["manifests"];
  let outDir: string;

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    kube = kubeClientFor(cluster.context);
    const loadgenImage = await ensureImage(loadgenRecipe(findTool("loadgen").path), imagesCacheDir());
    await importImage({ address: hostLayout(TEST_CLUSTER).containerdSocket }, loadgenImage);
    stack = referenceStack({ namespace: NAMESPACE, outsiderNamespace: OUTSIDER, runId: `hostload-${suffix}`, driver: noneDriver, versions: VERSIONS, simImage: cluster.simImage.ref, loadgenImage: loadgenImage.ref, loadEngine: "builtin", resources: "compact" });
    // Without the in-cluster Prometheus: its namespace is shared by every stack, and another
    // test file deleting its own copy must not race this one. Nothing here queries it.
    manifests = stack.manifests.filter((m) => m.metadata.namespace !== MONITORING_NAMESPACE && m.metadata.name !== MONITORING_NAMESPACE);
    outDir = mkdtempSync(join(tmpdir(), "meshproof-hostload-"));
    await kube.apply(manifests);
    for (const name of [...VERSIONS.map((v) => simDeploymentName(v)), stack.layout.loadgen.deployment]) {
      await pollUntil(() => kube.ready({ type: "rollout", namespace: NAMESPACE, kind: "Deployment", name }), { what: `${name} to roll out`, timeoutMs: 240_000, intervalMs: 1000, consecutive: 2 });
    }
  }, 900_000);

  afterAll(async () => {
    if (manifests) await kube.delete(manifests).catch(() => undefined);
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 180_000);

  /** llmsim_requests_total summed over both versions' pods, as each pod counted it. */
  async function servedBySims(): Promise<number> {
    const pods = (await cluster.kubectl(["get", "pods", "-n", NAMESPACE, "-l", "app=llm-sim", "-o", "jsonpath={.items[*].metadata.name}"])).stdout.trim().split(/\s+/).filter(Boolean);
    expect(pods).toHaveLength(VERSIONS.length);
    let total = 0;
    for (const pod of pods) {
      const metrics = (await cluster.kubectl(["get", "--raw", `/api/v1/namespaces/${NAMESPACE}/pods/${pod}:8000/proxy/metrics`])).stdout;
      total += metricSum(metrics, "llmsim_requests_total");
    }
    return total;
  }

  it("runs the load generator in the loadgen pod; its request count equals what llm-sim served", async () => {
    const pod = (await cluster.kubectl(["get", "pods", "-n", NAMESPACE, "-l", "app=loadgen", "-o", "jsonpath={.items[0].metadata.name}"])).stdout.trim();
    // Right after a rollout kube-proxy needs a moment before a ClusterIP answers: a short
    // warm-up run, retried until it is served, before the measured one.
    const warmUp = LoadProfile.parse({ name: "warm-up", executor: "constant-arrival-rate", rate: 2, durationSeconds: 1, mode: "plain", maxTokens: 4, maxVUs: 4 });
    const runner = { type: "pod" as const, context: cluster.context, namespace: NAMESPACE, pod, container: stack.layout.loadgen.container, kubectl: requireBinaries().kubectl };
    await pollUntil(async () => {
      const result = await runLoadgen({ loadgen: findTool("loadgen"), profile: warmUp, targetUrl: stack.layout.targetUrl, outDir, runner, timeoutMs: 120_000 });
      return result.failed === 0 && result.requests > 0 ? true : `${result.failed} of ${result.requests} failed`;
    }, { what: "the llm-sim Service to answer the loadgen pod", timeoutMs: 120_000, intervalMs: 2000 });

    const before = await servedBySims();
    const profile = LoadProfile.parse({ name: "in-cluster", executor: "constant-arrival-rate", rate: 10, durationSeconds: 5, mode: "stream", maxTokens: 8, maxVUs: 40 });
    const result = await runLoadgen({ loadgen: findTool("loadgen"), profile, targetUrl: stack.layout.targetUrl, outDir, runner, timeoutMs: 180_000 });
    const served = (await servedBySims()) - before;

    expect(result.requests).toBe(50);
    expect(result.failed).toBe(0);
    expect(served).toBe(result.requests);
    // Every answer names a version the stack deployed. Not both: kube-proxy picks a pod per
    // connection, and the generator keeps its connections open, so 50 requests may all reach one
    // version (CI saw only canary once); the split itself is what the meshes' scenarios judge.
    for (const o of result.outcomes.filter((x) => x.count > 0)) expect(VERSIONS).toContain(o.version);
  }, 600_000);
});
