/**
 * The cluster path for real on the host cluster: the reference stack (mesh `none`) applied
 * server-side through @kubernetes/client-node, its llm-sim Deployments rolled out (the
 * executor's readiness reads), the Service answering an OpenAI-style request from inside the
 * cluster, and deletes that return only once the objects are gone. Image pulls cannot leave the
 * host: an image that was not imported fails against containerd's dead proxy.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClientFor, type KubeClient } from "../../src/cluster/kube.js";
import { pollUntil } from "../../src/core/timeouts.js";
import { noneDriver } from "../../src/mesh/none/index.js";
import { referenceStack, simDeploymentName, type ReferenceStack } from "../../src/stack/index.js";
import { hostSkipReason, sharedHostCluster, type SharedCluster } from "./host-shared.js";

const skip = hostSkipReason();
const suffix = randomBytes(3).toString("hex");
const NAMESPACE = `meshproof-hoststack-${suffix}`;
const OUTSIDER = `meshproof-hoststack-out-${suffix}`;
// Its own monitoring namespace: deleting the stack must never take the shared meshproof-monitoring with it.
const MONITORING = `meshproof-hoststack-mon-${suffix}`;
const VERSIONS = ["stable", "canary"];

describe.skipIf(skip)(`reference stack on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let kube: KubeClient;
  let stack: ReferenceStack;

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    kube = kubeClientFor(cluster.context);
    stack = referenceStack({ namespace: NAMESPACE, outsiderNamespace: OUTSIDER, monitoringNamespace: MONITORING, runId: `hosttest-${suffix}`, driver: noneDriver, versions: VERSIONS, simImage: cluster.simImage.ref, loadgenImage: "meshproof.local/not-imported:1", loadEngine: "builtin", resources: "compact" });
  }, 900_000);

  afterAll(async () => {
    if (stack) await kube.delete(stack.manifests).catch(() => undefined);
  }, 180_000);

  it("applies the stack server-side and rolls out both llm-sim versions", async () => {
    await kube.apply(stack.manifests);
    // Applying again changes nothing and conflicts with nothing (same field manager).
    await kube.apply(stack.manifests);
    for (const version of VERSIONS) {
      await pollUntil(() => kube.ready({ type: "rollout", namespace: NAMESPACE, kind: "Deployment", name: simDeploymentName(version) }), {
        what: `${simDeploymentName(version)} to roll out`,
        timeoutMs: 240_000,
        intervalMs: 1000,
        consecutive: 2,
      });
    }
    expect(await kube.ready({ type: "pods-ready", namespace: NAMESPACE, selector: { app: "llm-sim" } })).toBe(true);
  }, 300_000);

  it("answers a completion through the Service from inside the cluster", async () => {
    const pod = (await cluster.kubectl(["get", "pods", "-n", NAMESPACE, "-l", "app=llm-sim", "-o", "jsonpath={.items[0].metadata.name}"])).stdout.trim();
    const script = `fetch(${JSON.stringify(`${stack.layout.targetUrl}/v1/models`)}).then(async (r) => console.log(r.status, (await r.json()).data.length > 0), (e) => console.log("ERR", e.cause?.code ?? e.message))`;
    // Right after a rollout kube-proxy needs a moment before a ClusterIP answers: wait on the Service.
    let answer = "";
    await pollUntil(async () => {
      answer = (await cluster.kubectl(["exec", "-n", NAMESPACE, pod, "--", "/usr/local/bin/node", "-e", script], { allowFailure: true })).stdout.trim();
      return answer === "200 true" || answer;
    }, { what: "the llm-sim Service to answer", timeoutMs: 60_000, intervalMs: 1000 });
    expect(answer).toBe("200 true");
  }, 90_000);

  it("never pulls from outside: an image that was not imported fails against the dead proxy", async () => {
    let message = "";
    await pollUntil(async () => {
      const events = await cluster.kubectl(["get", "events", "-n", NAMESPACE, "--field-selector", "reason=Failed", "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}"]);
      message = events.stdout.split("\n").find((m) => m.includes("not-imported")) ?? "";
      return message !== "" || "no pull failure yet";
    }, { what: "the loadgen image pull to fail", timeoutMs: 120_000, intervalMs: 2000 });
    expect(message).toMatch(/proxyconnect tcp: dial tcp 127\.0\.0\.1:9/);
  }, 150_000);

  it("deletes the stack and returns only when every object is gone", async () => {
    await kube.delete(stack.manifests);
    const left = await cluster.kubectl(["get", "namespace", NAMESPACE, OUTSIDER, MONITORING, "--ignore-not-found", "-o", "name"]);
    expect(left.stdout.trim()).toBe("");
  }, 180_000);
});
