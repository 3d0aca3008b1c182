/**
 * A re-run against a stack kept by --keep applies the stack again over the running objects. The
 * outsider used to be a bare Pod, whose spec is immutable: applying it with anything changed
 * (resources, volumes, an image's whole container) was refused with 422 and the run failed at
 * its first step. Here, on the host cluster and in this file's own namespace: the old Pod form is
 * refused (the control), and the outsider as rendered now, a Deployment, takes the same change
 * and rolls out a pod that has it.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClientFor, type KubeClient } from "../../src/cluster/kube.js";
import { hostLayout } from "../../src/cluster/host/settings.js";
import { ensureImage, imagesCacheDir, importImage, loadgenRecipe } from "../../src/cluster/host/images/index.js";
import { findTool } from "../../src/core/tools.js";
import { pollUntil } from "../../src/core/timeouts.js";
import type { KubeObject } from "../../src/plan/steps.js";
import { noneDriver } from "../../src/mesh/none/index.js";
import { referenceStack } from "../../src/stack/index.js";
import { hostSkipReason, sharedHostCluster, TEST_CLUSTER, type SharedCluster } from "./host-shared.js";

const skip = hostSkipReason();
const suffix = randomBytes(3).toString("hex");
const OUTSIDER_NS = `meshproof-reapply-out-${suffix}`;

interface PodTemplate { metadata: { labels: Record<string, string> }; spec: { containers: { resources: { requests: Record<string, string> } }[] } }

/** The stack's outsider objects as a run renders them, with the loadgen's memory request set to `memory`. */
function outsiderObjects(image: string, memory: string): KubeObject[] {
  const stack = referenceStack({ namespace: `meshproof-reapply-${suffix}`, outsiderNamespace: OUTSIDER_NS, runId: `reapply-${suffix}`, driver: noneDriver, versions: ["stable"], simImage: "unused", loadgenImage: image, resources: "compact" });
  const objects = structuredClone(stack.manifests.filter((m) => m.metadata.namespace === OUTSIDER_NS || (m.kind === "Namespace" && m.metadata.name === OUTSIDER_NS)));
  const deployment = objects.find((m) => m.kind === "Deployment")!;
  (deployment.spec as { template: PodTemplate }).template.spec.containers[0]!.resources.requests.memory = memory;
  return objects;
}

/** The same outsider in the shape it had before: a bare Pod with the Deployment's pod template. */
function asBarePod(objects: KubeObject[]): KubeObject {
  const deployment = objects.find((m) => m.kind === "Deployment")!;
  const template = (deployment.spec as { template: PodTemplate }).template;
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "outsider-as-pod", namespace: OUTSIDER_NS, labels: { ...template.metadata.labels, app: "outsider-as-pod" } }, spec: template.spec } as unknown as KubeObject;
}

describe.skipIf(skip)(`re-applying the stack over a kept one on the host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  let kube: KubeClient;
  let image: string;

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    kube = kubeClientFor(cluster.context);
    const loadgen = await ensureImage(loadgenRecipe(findTool("loadgen").path), imagesCacheDir());
    await importImage({ address: hostLayout(TEST_CLUSTER).containerdSocket }, loadgen);
    image = loadgen.ref;
  }, 900_000);

  afterAll(async () => {
    if (kube) await kube.delete(outsiderObjects(image ?? "unused", "64Mi").filter((m) => m.kind === "Namespace")).catch(() => undefined);
  }, 180_000);

  async function rolledOut(): Promise<void> {
    await pollUntil(() => kube.ready({ type: "rollout", namespace: OUTSIDER_NS, kind: "Deployment", name: "outsider" }), { what: "the outsider to roll out", timeoutMs: 240_000, intervalMs: 1000, consecutive: 2 });
  }

  it("control: a bare Pod applied again with a changed spec is refused (422)", async () => {
    const first = outsiderObjects(image, "64Mi");
    await kube.apply([...first.filter((m) => m.kind === "Namespace" || m.kind === "ServiceAccount"), asBarePod(first)]);
    const again = asBarePod(outsiderObjects(image, "80Mi"));
    const refused = await kube.apply([again]).then(() => undefined, (err: unknown) => err);
    expect(String(refused)).toMatch(/HTTP-Code: 422/);
    expect(String(refused)).toMatch(/pod updates may not change fields/);
    await kube.delete([again]);
  }, 300_000);

  it("the outsider Deployment takes the change and rolls out a pod that has it", async () => {
    await kube.apply(outsiderObjects(image, "64Mi"));
    await rolledOut();
    // The re-run: the same stack rendered again, with something in the pod spec changed.
    await kube.apply(outsiderObjects(image, "80Mi"));
    await rolledOut();
    let requests = "";
    await pollUntil(async () => {
      requests = (await cluster.kubectl(["get", "pods", "-n", OUTSIDER_NS, "-l", "app=outsider", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].spec.containers[0].resources.requests.memory}"])).stdout.trim();
      return requests === "80Mi" || `running pods ask ${requests || "nothing"}`;
    }, { what: "only the re-applied pod to run", timeoutMs: 120_000, intervalMs: 1000 });
    expect(requests).toBe("80Mi");
  }, 400_000);
});
