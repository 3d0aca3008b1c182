/**
 * The mtls intent as security.istio.io/v1 PeerAuthentication.
 * Fields: https://istio.io/latest/docs/reference/config/security/peer_authentication/
 * (checked against the 1.30.3 CRD and peer_authentication.proto; see references.ts).
 *
 * The mode applies namespace-wide (a policy without a selector). Ports left permissive need a
 * second, workload-selected policy: the CRD rejects portLevelMtls without a selector ("portLevelMtls
 * requires selector"), and the ports are the workload's container ports, not the Service's.
 */
import { PeerAuthentication, type IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import type { IntentOf, Target } from "../intent.js";
import { objectMeta } from "./meta.js";

type Spec = NonNullable<IPeerAuthentication["spec"]>;
type Mode = NonNullable<NonNullable<Spec["mtls"]>["mode"]>;
type PortLevel = NonNullable<Spec["portLevelMtls"]>;

export function renderPeerAuthentication(intents: IntentOf<"mtls">[], target: Target): { manifests: KubeObject[]; unsupported: UnsupportedIntent[] } {
  const [mtls, ...extra] = intents;
  const unsupported = extra.map(
    (): UnsupportedIntent => ({ intent: "mtls", reason: "one mTLS mode per namespace: the first mtls intent is rendered" }),
  );
  if (!mtls) return { manifests: [], unsupported };

  const mode: Mode = mtls.mode === "strict" ? "STRICT" : "PERMISSIVE";
  const namespaceWide = new PeerAuthentication({ metadata: objectMeta(target, "mtls"), spec: { mtls: { mode } } });
  namespaceWide.validate();
  const manifests: KubeObject[] = [namespaceWide.toJSON() as KubeObject];

  // Under a permissive mode every port is already permissive; a port policy would change nothing.
  if (mode === "STRICT" && mtls.permissivePorts.length > 0) {
    const portLevelMtls: PortLevel = {};
    for (const port of mtls.permissivePorts) portLevelMtls[String(port)] = { mode: "PERMISSIVE" };
    const ports = new PeerAuthentication({
      metadata: objectMeta(target, "mtls-ports"),
      spec: { selector: { matchLabels: { ...target.selector } }, mtls: { mode }, portLevelMtls },
    });
    ports.validate();
    manifests.push(ports.toJSON() as KubeObject);
  }
  return { manifests, unsupported };
}
