/**
 * The Kubernetes API as the executor needs it: server-side apply, delete, and readiness reads,
 * through @kubernetes/client-node on the run's kube context. Only exercised against a real API
 * server; unit tests use a double of the KubeClient interface.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import type { KubeObject, WaitCondition } from "../plan/steps.js";
import { setTimeout as sleep } from "node:timers/promises";
import { EnvironmentError } from "../core/errors.js";
import { retryTransient } from "./transient.js";

export interface KubeClient {
  apply(objects: readonly KubeObject[]): Promise<void>;
  /** Delete; objects already gone are not an error. */
  delete(objects: readonly KubeObject[]): Promise<void>;
  /** True when ready, or a string saying what is not yet ready. */
  ready(condition: Exclude<WaitCondition, { type: "http" | "command" }>): Promise<true | string>;
}

const FIELD_MANAGER = "meshproof";
const DELETE_POLL_MS = 500;

/** The API clients of a context, made on first use: a cluster the run creates has no context yet when the run starts. */
function clientsFor(context: string) {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (!kc.getContextObject(context)) {
    throw new EnvironmentError(
      `kube context "${context}" is not in your kubeconfig`,
      "check `kubectl config get-contexts`, or let meshproof create the cluster with --cluster kind or --cluster host",
    );
  }
  kc.setCurrentContext(context);
  return { objects: KubernetesObjectApi.makeApiClient(kc), apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api) };
}

export function kubeClientFor(context: string): KubeClient {
  let made: ReturnType<typeof clientsFor> | undefined;
  const clients = () => (made ??= clientsFor(context));

  return {
    async apply(list) {
      const { objects } = clients();
      // Server-side apply: idempotent, and field ownership shows meshproof as the manager.
      for (const obj of list) {
        await retryTransient(() => objects.patch(obj as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
      }
    },
    async delete(list) {
      const { objects } = clients();
      for (const obj of [...list].reverse()) {
        try {
          await retryTransient(() => objects.delete(obj as KubernetesObject, undefined, undefined, undefined, undefined, "Foreground"));
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      // Done means gone: a namespace or a pod with finalizers lingers after the delete call, and
      // re-creating it meanwhile fails. The caller bounds this wait (TIMEOUTS.delete).
      for (const obj of list) {
        for (;;) {
          try {
            await retryTransient(() => objects.read(obj as KubernetesObject & { metadata: { name: string } }));
          } catch (err) {
            if (isNotFound(err)) break;
            throw err;
          }
          await sleep(DELETE_POLL_MS);
        }
      }
    },
    async ready(condition) {
      const { apps, core } = clients();
      if (condition.type === "pods-ready") {
        const selector = Object.entries(condition.selector).map(([k, v]) => `${k}=${v}`).join(",");
        const pods = await core.listNamespacedPod({ namespace: condition.namespace, labelSelector: selector });
        if (pods.items.length === 0) return `no pods match ${selector}`;
        const notReady = pods.items.filter((p) => !p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
        return notReady.length === 0 || `${notReady.length}/${pods.items.length} pods not Ready`;
      }
      if (condition.kind !== "Deployment") {
        const ds = condition.kind === "DaemonSet"
          ? await apps.readNamespacedDaemonSet({ name: condition.name, namespace: condition.namespace })
          : await apps.readNamespacedStatefulSet({ name: condition.name, namespace: condition.namespace });
        const want = "desiredNumberScheduled" in (ds.status ?? {}) ? (ds.status as { desiredNumberScheduled: number }).desiredNumberScheduled : (ds.spec as { replicas?: number })?.replicas ?? 1;
        const have = (ds.status as { numberReady?: number; readyReplicas?: number } | undefined);
        const ready = have?.numberReady ?? have?.readyReplicas ?? 0;
        return ready >= want || `${ready}/${want} ready`;
      }
      const d = await apps.readNamespacedDeployment({ name: condition.name, namespace: condition.namespace });
      const want = d.spec?.replicas ?? 1;
      const s = d.status ?? {};
      // A rollout is done when the controller saw the latest spec and every replica is updated and available.
      if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return "controller has not observed the latest spec";
      if ((s.updatedReplicas ?? 0) < want) return `${s.updatedReplicas ?? 0}/${want} updated`;
      if ((s.availableReplicas ?? 0) < want) return `${s.availableReplicas ?? 0}/${want} available`;
      return true;
    },
  };
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && (err as { code: unknown }).code === 404;
}
