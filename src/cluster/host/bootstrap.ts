/**
 * Objects the cluster needs before its first pod: read access for CoreDNS (a host process
 * with its own client certificate), and the kube-dns Service on the cluster DNS address with
 * CoreDNS on the node's address as its one endpoint (a selector-less Service, so no
 * controller touches the EndpointSlice).
 */
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { EndpointSlice } from "kubernetes-models/discovery.k8s.io/v1/EndpointSlice";
import { Service } from "kubernetes-models/v1/Service";
import type { KubeObject } from "../../plan/steps.js";
import { toKubeObject } from "../../stack/kube-object.js";
import { COREDNS_USER, NETWORK } from "./settings.js";

const LABELS = { "app.kubernetes.io/managed-by": "meshproof", "k8s-app": "kube-dns" };
const DNS_PORTS = [
  { name: "dns", port: 53, protocol: "UDP" },
  { name: "dns-tcp", port: 53, protocol: "TCP" },
] as const;

export function bootstrapObjects(): KubeObject[] {
  return [
    toKubeObject(
      new ClusterRole({
        metadata: { name: "meshproof:coredns", labels: LABELS },
        // What CoreDNS's kubernetes plugin watches: https://coredns.io/plugins/kubernetes/
        rules: [
          { apiGroups: [""], resources: ["services", "pods", "namespaces"], verbs: ["list", "watch"] },
          { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
        ],
      }),
    ),
    toKubeObject(
      new ClusterRoleBinding({
        metadata: { name: "meshproof:coredns", labels: LABELS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "meshproof:coredns" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: COREDNS_USER }],
      }),
    ),
    toKubeObject(
      new Service({
        metadata: { name: "kube-dns", namespace: "kube-system", labels: LABELS },
        spec: { clusterIP: NETWORK.dnsServiceIp, ports: DNS_PORTS.map((p) => ({ ...p, targetPort: 53 })) },
      }),
    ),
    toKubeObject(
      new EndpointSlice({
        metadata: {
          name: "kube-dns-host",
          namespace: "kube-system",
          labels: { ...LABELS, "kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": "meshproof" },
        },
        addressType: "IPv4",
        endpoints: [{ addresses: [NETWORK.nodeIp], conditions: { ready: true } }],
        ports: DNS_PORTS.map((p) => ({ ...p })),
      }),
    ),
  ];
}
