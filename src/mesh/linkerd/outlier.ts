/**
 * Circuit breaking in Linkerd 2.20 is failure accrual configured by annotations on the Service
 * that clients call (the HTTPRoute's parent): the policy controller reads them from the parent
 * Service, not from the backends (policy-controller/k8s/index/src/outbound/index.rs at
 * version-2.20). Source: https://linkerd.io/2.20/reference/circuit-breaking/
 *
 * That Service belongs to the stack, and the stack and the policies are applied server-side
 * under one field manager. A manifest carrying only the annotations would therefore drop the
 * selector and ports the same manager applied before; so the manifest repeats the Service as
 * the Target describes it (common selector, the port, targetPort = port) and adds the
 * annotations.
 *
 * Caution for whoever removes this policy: deleting this manifest by name deletes the stack's
 * Service. Re-apply the stack's Service instead (the same field manager then drops the
 * annotations), or `kubectl annotate service <name> balancer.linkerd.io/failure-accrual-`.
 */
import { Service } from "kubernetes-models/v1/Service";
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import { metadataFor, SERVICE_PORT_NAME, toKubeObject } from "../gamma/index.js";
import type { IntentOf, Target } from "../intent.js";
import { failureAccrualAnnotations } from "./annotations.js";

export function renderFailureAccrual(target: Target, intent: IntentOf<"outlier">): { manifests: KubeObject[]; unsupported: UnsupportedIntent[] } {
  const { annotations, gaps } = failureAccrualAnnotations(intent);
  const service = new Service({
    metadata: metadataFor(target, target.service, { annotations }),
    spec: {
      selector: { ...target.selector },
      ports: [{ name: SERVICE_PORT_NAME, port: target.port, targetPort: target.port, protocol: "TCP" }],
    },
  });
  return {
    manifests: [toKubeObject(service)],
    unsupported: gaps.map((reason) => ({ intent: "outlier", reason, partial: true })),
  };
}
