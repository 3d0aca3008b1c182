/**
 * What each component of the host cluster is told: kubeconfigs, the kubelet's and kube-proxy's
 * configuration files, containerd's config, the CNI network, CoreDNS's Corefile and the argv of
 * every daemon. Pure functions of the layout, so a test can read exactly what would run.
 *
 * Why the unusual settings (found on this project's machines, see the README's `host` section):
 * - containerd `restrict_oom_score_adj`: root may lack CAP_SYS_RESOURCE, and the CRI's -998
 *   oom_score_adj for the pause container then makes every sandbox fail to start.
 * - kubelet `failCgroupV1: false`, `cgroupDriver: cgroupfs`, `failSwapOn: false`: cgroup v1
 *   hosts without systemd as the cgroup manager.
 * - CNI `ipMasq: false` and ipam `dataDir`: pods never get the host's address on the way out
 *   (the egress guard drops what tries), and nothing lands in /var/lib/cni.
 * Docs: https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/ ,
 * https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/ ,
 * https://github.com/containerd/containerd/blob/release/1.6/docs/cri/config.md ,
 * https://www.cni.dev/plugins/current/main/bridge/ , https://coredns.io/plugins/kubernetes/
 */
import { join } from "node:path";
import { stringify } from "yaml";
import { CNI_BIN_DIR, NETWORK, PORTS, type HostLayout } from "./settings.js";

export interface Daemon {
  /** Also the name of its log and pid files. */
  name: string;
  argv: string[];
  env?: Record<string, string>;
  /** How `up` knows it is serving. */
  ready: { url: string; tls?: boolean } | { socket: string };
}

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubelet: string;
  kubeProxy: string;
  kubectl: string;
  coredns: string;
  containerd: string;
  ctr: string;
}

export function kubeconfig(opts: { server: string; ca: string; cert: string; key: string; context: string; user: string }): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: opts.context, cluster: { server: opts.server, "certificate-authority": opts.ca } }],
    users: [{ name: opts.user, user: { "client-certificate": opts.cert, "client-key": opts.key } }],
    contexts: [{ name: opts.context, context: { cluster: opts.context, user: opts.user } }],
    "current-context": opts.context,
  });
}

export const NO_PULLS_PROXY = "http://127.0.0.1:9";
export const NO_PULLS_ENV = { HTTP_PROXY: NO_PULLS_PROXY, HTTPS_PROXY: NO_PULLS_PROXY, http_proxy: NO_PULLS_PROXY, https_proxy: NO_PULLS_PROXY, NO_PROXY: "", no_proxy: "" };

export const API_SERVER_URL = `https://${NETWORK.nodeIp}:${PORTS.apiServer}`;

/** Kubeconfig file of a component whose client certificate is <pki>/<file>.crt. */
export function componentKubeconfig(layout: HostLayout, file: string, context: string): { path: string; content: string } {
  return {
    path: join(layout.config, `${file}.kubeconfig`),
    content: kubeconfig({
      server: API_SERVER_URL,
      ca: join(layout.pki, "ca.crt"),
      cert: join(layout.pki, `${file}.crt`),
      key: join(layout.pki, `${file}.key`),
      context,
      user: file,
    }),
  };
}

export function kubeletConfig(layout: HostLayout): string {
  return stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: NETWORK.nodeIp,
    port: PORTS.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: PORTS.kubeletHealthz,
    tlsCertFile: join(layout.pki, "kubelet-serving.crt"),
    tlsPrivateKeyFile: join(layout.pki, "kubelet-serving.key"),
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: join(layout.pki, "ca.crt") },
    },
    authorization: { mode: "Webhook" },
    containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
    cgroupDriver: "cgroupfs",
    failCgroupV1: false,
    failSwapOn: false,
    clusterDNS: [NETWORK.dnsServiceIp],
    clusterDomain: NETWORK.clusterDomain,
    // No host resolver for pods: names resolve through the cluster's CoreDNS, which has no upstream.
    resolvConf: "",
    podLogsDir: layout.podLogs,
    // Imported images exist nowhere else: never garbage-collect them, never evict for disk.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%", "nodefs.inodesFree": "1%" },
    serializeImagePulls: false,
    maxPods: 110,
  });
}

export function kubeProxyConfig(layout: HostLayout, node: string): string {
  return stringify({
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: "iptables",
    clusterCIDR: NETWORK.podCidr,
    hostnameOverride: node,
    healthzBindAddress: `127.0.0.1:${PORTS.proxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${PORTS.proxyMetrics}`,
    clientConnection: { kubeconfig: join(layout.config, "kube-proxy.kubeconfig") },
    // Zeros leave the host's conntrack table size and timeouts alone.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    // No NodePorts on 127.0.0.1 (that would set route_localnet on the host); only on the node IP.
    iptables: { minSyncPeriod: "1s", localhostNodePorts: false },
    nodePortAddresses: ["primary"],
  });
}

export function containerdConfig(layout: HostLayout, sandboxImage: string): string {
  const q = JSON.stringify;
  return `# Written by meshproof for one host cluster: its own root, state and socket.
version = 2
root = ${q(layout.containerdRoot)}
state = ${q(layout.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${q(layout.containerdSocket)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(layout.containerdRoot, "opt"))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(sandboxImage)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  enable_unprivileged_ports = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${q(layout.runcRoot)}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(CNI_BIN_DIR)}
    conf_dir = ${q(layout.cniConf)}
    max_conf_num = 1
`;
}

export function cniConfig(layout: HostLayout): string {
  return JSON.stringify(
    {
      cniVersion: "1.0.0",
      name: "meshproof",
      plugins: [
        {
          type: "bridge",
          bridge: NETWORK.podBridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: NETWORK.podCidr, gateway: NETWORK.podGateway }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: layout.cniIpam,
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/** CoreDNS answers the cluster's names and nothing else: no `forward`, so no upstream resolver is ever asked. */
export function corefile(layout: HostLayout): string {
  return `.:53 {
    bind ${NETWORK.nodeIp}
    errors
    health 127.0.0.1:${PORTS.corednsHealth}
    ready 127.0.0.1:${PORTS.corednsReady}
    kubernetes ${NETWORK.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${join(layout.config, "coredns.kubeconfig")} coredns
        pods insecure
        ttl 5
    }
    cache 5
}
`;
}

/** Every daemon in start order; stop runs the list backwards (the API server hangs if etcd goes first). */
export function daemons(layout: HostLayout, bin: Binaries, node: string): Daemon[] {
  const pki = (f: string) => join(layout.pki, f);
  const kc = (f: string) => join(layout.config, `${f}.kubeconfig`);
  const etcdUrl = `http://127.0.0.1:${PORTS.etcdClient}`;
  return [
    {
      name: "etcd",
      argv: [
        bin.etcd, "--name", "meshproof", "--data-dir", layout.etcdData,
        "--listen-client-urls", etcdUrl, "--advertise-client-urls", etcdUrl,
        "--listen-peer-urls", `http://127.0.0.1:${PORTS.etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${PORTS.etcdPeer}`,
        "--initial-cluster", `meshproof=http://127.0.0.1:${PORTS.etcdPeer}`,
      ],
      ready: { url: `${etcdUrl}/health` },
    },
    {
      name: "kube-apiserver",
      argv: [
        bin.kubeApiserver,
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${NETWORK.nodeIp}`, `--advertise-address=${NETWORK.nodeIp}`, `--secure-port=${PORTS.apiServer}`,
        `--service-cluster-ip-range=${NETWORK.serviceCidr}`,
        `--tls-cert-file=${pki("apiserver.crt")}`, `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
        `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`, `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
        "--kubelet-preferred-address-types=InternalIP",
        `--service-account-issuer=https://kubernetes.default.svc.${NETWORK.clusterDomain}`,
        `--service-account-key-file=${pki("service-account.pub")}`, `--service-account-signing-key-file=${pki("service-account.key")}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction",
        "--allow-privileged=true",
        "--profiling=false",
      ],
      ready: { url: `${API_SERVER_URL}/readyz`, tls: true },
    },
    {
      name: "kube-controller-manager",
      argv: [
        bin.kubeControllerManager,
        `--kubeconfig=${kc("controller-manager")}`, `--authentication-kubeconfig=${kc("controller-manager")}`, `--authorization-kubeconfig=${kc("controller-manager")}`,
        "--bind-address=127.0.0.1", `--secure-port=${PORTS.controllerManager}`,
        `--service-account-private-key-file=${pki("service-account.key")}`, `--root-ca-file=${pki("ca.crt")}`,
        "--use-service-account-credentials=true",
        `--cluster-signing-cert-file=${pki("ca.crt")}`, `--cluster-signing-key-file=${pki("ca.key")}`,
        `--service-cluster-ip-range=${NETWORK.serviceCidr}`,
        "--leader-elect=false",
        "--profiling=false",
      ],
      ready: { url: `https://127.0.0.1:${PORTS.controllerManager}/healthz`, tls: true },
    },
    {
      name: "kube-scheduler",
      argv: [
        bin.kubeScheduler,
        `--kubeconfig=${kc("scheduler")}`, `--authentication-kubeconfig=${kc("scheduler")}`, `--authorization-kubeconfig=${kc("scheduler")}`,
        "--bind-address=127.0.0.1", `--secure-port=${PORTS.scheduler}`,
        "--leader-elect=false",
        "--profiling=false",
      ],
      ready: { url: `https://127.0.0.1:${PORTS.scheduler}/healthz`, tls: true },
    },
    {
      name: "containerd",
      argv: [bin.containerd, "--config", join(layout.config, "containerd.toml")],
      // There is no registry to pull from, and the host may not reach outside: every pull goes
      // to a proxy address where nothing listens and fails at once (no DNS lookup, no packet out).
      env: NO_PULLS_ENV,
      ready: { socket: layout.containerdSocket },
    },
    {
      name: "kubelet",
      argv: [
        bin.kubelet,
        `--config=${join(layout.config, "kubelet.yaml")}`,
        `--kubeconfig=${kc("kubelet")}`,
        `--root-dir=${layout.kubeletRoot}`,
        `--node-ip=${NETWORK.nodeIp}`,
        `--hostname-override=${node}`,
      ],
      ready: { url: `http://127.0.0.1:${PORTS.kubeletHealthz}/healthz` },
    },
    {
      name: "kube-proxy",
      argv: [bin.kubeProxy, `--config=${join(layout.config, "kube-proxy.yaml")}`],
      ready: { url: `http://127.0.0.1:${PORTS.proxyHealthz}/healthz` },
    },
    {
      name: "coredns",
      argv: [bin.coredns, "-conf", join(layout.config, "Corefile")],
      ready: { url: `http://127.0.0.1:${PORTS.corednsReady}/ready` },
    },
  ];
}
