/**
 * Circuit breaking in Linkerd 2.20 is failure accrual configured by annotations on the Service
 * that clients call (the HTTPRoute's parent): the policy controller reads them from the parent
 * Service, not from the backends (policy-controller/k8s/index/src/outbound/index.rs at
 * version-2.20). That Service belongs to the stack, so the manifest here is a metadata-only
 * Service: applied server-side it adds the annotations to the existing object and claims no
 * spec field; applied where the Service does not exist it fails loudly (a Service needs ports),
 * rather than creating something else.
 * Source: https://linkerd.io/2.20/reference/circuit-breaking/
 *
 * Caution for whoever removes this policy: deleting this manifest by name deletes the stack's
 * Service. Remove the annotations instead (re-apply the stack's Service, or
 * `kubectl annotate service <name> balancer.linkerd.io/failure-accrual-`).
 */
import { Service } from "kubernetes-models/v1/Service";
import type { KubeObject } from "../../engine/plan.js";
import type { UnsupportedIntent } from "../driver.js";
import { metadataFor, toKubeObject } from "../gamma/index.js";
import type { IntentOf, Target } from "../intent.js";
import { failureAccrualAnnotations } from "./annotations.js";

export function renderFailureAccrual(target: Target, intent: IntentOf<"outlier">): { manifests: KubeObject[]; unsupported: UnsupportedIntent[] } {
  const { annotations, gaps } = failureAccrualAnnotations(intent);
  const service = new Service({ metadata: metadataFor(target, target.service, { annotations }) });
  return {
    manifests: [toKubeObject(service)],
    unsupported: gaps.map((reason) => ({ intent: "outlier", reason, partial: true })),
  };
}
