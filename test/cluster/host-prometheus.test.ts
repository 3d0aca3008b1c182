/**
 * The stack's Prometheus for real on the host cluster, with the image the host builds from
 * Debian's Prometheus 2.42 (no Kubernetes service discovery in that build): the pod becomes Ready
 * with the config the stack renders, finds both llm-sim versions through their headless
 * Services' DNS records, and the run's own request-count query (src/metrics/queries.ts, mesh
 * none) returns what each version served. Everything lives in this file's own namespaces, never
 * in the shared meshproof-monitoring.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClientFor, type KubeClient } from "../../src/cluster/kube.js";
import { hostLayout } from "../../src/cluster/host/settings.js";
import { ensureImage, imagesCacheDir, importImage, prometheusRecipe } from "../../src/cluster/host/images/index.js";
import { findTool } from "../../src/core/tools.js";
import { pollUntil } from "../../src/core/timeouts.js";
import type { KubeObject } from "../../src/plan/steps.js";
import { meshQueries } from "../../src/metrics/queries.js";
import { noneDriver } from "../../src/mesh/none/index.js";
import { monitoring, PROMETHEUS, PROMETHEUS_PORT, referenceStack, simDeploymentName, SIM_APP, SIM_METRICS_PATH, SIM_PORT, VERSION_LABEL, type ReferenceStack } from "../../src/stack/index.js";
import { hostSkipReason, sharedHostCluster, TEST_CLUSTER, type SharedCluster } from "./host-shared.js";

const skip = hostSkipReason();
const suffix = randomBytes(3).toString("hex");
const NAMESPACE = `meshproof-promtest-${suffix}`;
const MONITORING = `meshproof-promtest-mon-${suffix}`;
const VERSIONS = ["stable", "canary"];
const SENT: Record<string, number> = { stable: 3, canary: 2 };

describe.skipIf(skip)(`the stack's Prometheus on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let kube: KubeClient;
  let stack: ReferenceStack;
  let manifests: KubeObject[] = [];

  async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const path = `/api/v1/namespaces/${MONITORING}/services/${PROMETHEUS}:${PROMETHEUS_PORT}/proxy/api/v1/query?query=${encodeURIComponent(promql)}`;
    const body = JSON.parse((await cluster.kubectl(["get", "--raw", path])).stdout) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    expect(body.status).toBe("success");
    return body.data.result;
  }

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    kube = kubeClientFor(cluster.context);
    const prometheusImage = await ensureImage(prometheusRecipe(findTool("prometheus").path), imagesCacheDir());
    await importImage({ address: hostLayout(TEST_CLUSTER).containerdSocket }, prometheusImage);
    const labels = { "meshproof.dev/test": `promtest-${suffix}` };
    stack = referenceStack({ namespace: NAMESPACE, outsiderNamespace: `meshproof-promtest-out-${suffix}`, runId: `promtest-${suffix}`, driver: noneDriver, versions: VERSIONS, simImage: cluster.simImage.ref, loadgenImage: "unused", resources: "compact" });
    // The sims, their Service and the discovery Services; Prometheus in this file's own namespace.
    const sims = stack.manifests.filter((m) => m.metadata.namespace === NAMESPACE && !(m.kind === "Deployment" && m.metadata.name === "loadgen")).filter((m) => m.kind !== "ServiceAccount" || m.metadata.name === SIM_APP);
    const prometheus = monitoring({
      mesh: "none",
      namespace: MONITORING,
      workload: { namespace: NAMESPACE, app: SIM_APP, versionLabel: VERSION_LABEL, versions: VERSIONS, port: SIM_PORT, metricsPath: SIM_METRICS_PATH },
      labels,
      image: prometheusImage.ref,
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } },
    }).filter((m) => m.metadata.namespace !== NAMESPACE);
    const namespace = stack.manifests.find((m) => m.kind === "Namespace" && m.metadata.name === NAMESPACE)!;
    manifests = [namespace, ...prometheus.filter((m) => m.kind === "Namespace"), ...sims, ...prometheus.filter((m) => m.kind !== "Namespace")];
    await kube.apply(manifests);
  }, 900_000);

  afterAll(async () => {
    if (manifests.length > 0) await kube.delete(manifests).catch(() => undefined);
  }, 180_000);

  it("becomes Ready with the rendered config", async () => {
    for (const [ns, name] of [[MONITORING, PROMETHEUS], ...VERSIONS.map((v) => [NAMESPACE, simDeploymentName(v)])] as const) {
      await pollUntil(() => kube.ready({ type: "rollout", namespace: ns, kind: "Deployment", name }), { what: `${name} to roll out`, timeoutMs: 240_000, intervalMs: 1000, consecutive: 2 });
    }
    const restarts = (await cluster.kubectl(["get", "pods", "-n", MONITORING, "-l", `app=${PROMETHEUS}`, "-o", "jsonpath={.items[*].status.containerStatuses[*].restartCount}"])).stdout.trim();
    expect(restarts).toBe("0");
  }, 300_000);

  it("finds both versions' pods by DNS and scrapes them", async () => {
    let up: Awaited<ReturnType<typeof query>> = [];
    await pollUntil(async () => {
      up = await query(`up{job="${SIM_APP}",namespace="${NAMESPACE}"}`);
      return (up.length === VERSIONS.length && up.every((s) => s.value[1] === "1")) || `targets: ${JSON.stringify(up.map((s) => [s.metric.version, s.value[1]]))}`;
    }, { what: "both llm-sim versions to be scraped", timeoutMs: 120_000, intervalMs: 2000 });
    expect(up.map((s) => [s.metric.version, s.metric.app, s.value[1]]).sort()).toEqual([["canary", "llm-sim", "1"], ["stable", "llm-sim", "1"]]);
  }, 150_000);

  it("answers the run's request-count query with what each version served", async () => {
    for (const version of VERSIONS) {
      const pod = (await cluster.kubectl(["get", "pods", "-n", NAMESPACE, "-l", `app=${SIM_APP},version=${version}`, "-o", "jsonpath={.items[0].metadata.name}"])).stdout.trim();
      // Each pod answers its own completions on loopback: the count per version is known exactly.
      const script = `(async () => { for (let i = 0; i < ${SENT[version]}; i++) { const r = await fetch("http://127.0.0.1:${SIM_PORT}/v1/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", prompt: "p", max_tokens: 2 }) }); await r.text(); if (r.status !== 200) throw new Error(String(r.status)); } console.log("ok"); })()`;
      expect((await cluster.kubectl(["exec", "-n", NAMESPACE, pod, "--", "/usr/local/bin/node", "-e", script])).stdout.trim()).toBe("ok");
    }
    const promql = meshQueries("none").requestsByVersion({ target: stack.target, windowSeconds: 300 });
    let counts: Record<string, number> = {};
    await pollUntil(async () => {
      // increase() extrapolates; the raw counter is exact, so compare that and let the query show the labels line up.
      const raw = await query(`sum by (version) (llmsim_requests_total{namespace="${NAMESPACE}"})`);
      counts = Object.fromEntries(raw.map((s) => [s.metric.version ?? "", Number(s.value[1])]));
      return (counts.stable === SENT.stable && counts.canary === SENT.canary) || `counts so far ${JSON.stringify(counts)}`;
    }, { what: "the scraped counts to reach what was sent", timeoutMs: 120_000, intervalMs: 2000 });
    expect(counts).toEqual(SENT);
    // increase() needs two samples of a series; the sims' counters appeared with the first request.
    let viaRunQuery: Awaited<ReturnType<typeof query>> = [];
    await pollUntil(async () => {
      viaRunQuery = await query(promql);
      return viaRunQuery.length === VERSIONS.length || `${promql}: ${JSON.stringify(viaRunQuery.map((s) => s.metric))}`;
    }, { what: "the run's query to see both versions", timeoutMs: 60_000, intervalMs: 2000 });
    expect(viaRunQuery.map((s) => s.metric.version).sort()).toEqual(["canary", "stable"]);
  }, 240_000);
});
