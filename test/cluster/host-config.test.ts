/**
 * The host cluster's pure parts: what each component is told, the egress guard's rules, the
 * teardown's iptables script and mount list, and the plan steps the provider gives.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cniConfig, containerdConfig, corefile, daemons, kubeletConfig, kubeProxyConfig } from "../../src/cluster/host/config.js";
import { guardRules, mountsUnder, removalScript } from "../../src/cluster/host/network.js";
import { extensionsOf, leafSpecs } from "../../src/cluster/host/pki.js";
import { hostProvider, hostDestroyStep } from "../../src/cluster/host/index.js";
import { EGRESS_CHAIN, NETWORK, hostLayout } from "../../src/cluster/host/settings.js";
import type { Binaries } from "../../src/cluster/host/config.js";

const layout = hostLayout("unit", { HOME: "/home/u" } as NodeJS.ProcessEnv);
const bin = Object.fromEntries(["etcd", "kubeApiserver", "kubeControllerManager", "kubeScheduler", "kubelet", "kubeProxy", "kubectl", "coredns", "containerd", "ctr"].map((k) => [k, `/bin/${k}`])) as unknown as Binaries;

describe("host cluster configuration", () => {
  it("keeps all state under ${XDG_STATE_HOME:-~/.local/state}/meshproof/host/<name>", () => {
    expect(layout.root).toBe("/home/u/.local/state/meshproof/host/unit");
    expect(hostLayout("x", { XDG_STATE_HOME: "/s" } as NodeJS.ProcessEnv).root).toBe("/s/meshproof/host/x");
    for (const [key, path] of Object.entries(layout)) if (key !== "root") expect(path.startsWith(layout.root + "/"), key).toBe(true);
  });

  it("tells containerd to restrict oom_score_adj, use the pause image and keep netns mounts in its state", () => {
    const toml = containerdConfig(layout, "meshproof.local/pause:abc");
    expect(toml).toMatch(/restrict_oom_score_adj = true/);
    expect(toml).toMatch(/netns_mounts_under_state_dir = true/);
    expect(toml).toContain('sandbox_image = "meshproof.local/pause:abc"');
    expect(toml).toContain(`address = "${layout.containerdSocket}"`);
    expect(toml).toMatch(/SystemdCgroup = false/);
  });

  it("sends every image pull of containerd to a dead local proxy (no registry, nothing leaves the host)", () => {
    const ctd = daemons(layout, bin, "n").find((d) => d.name === "containerd");
    expect(ctd?.env).toMatchObject({ HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9", NO_PROXY: "" });
  });

  it("gives the kubelet cgroup v1 settings, its own pod log folder and no host resolver", () => {
    const k = parse(kubeletConfig(layout)) as Record<string, unknown>;
    expect(k).toMatchObject({ failCgroupV1: false, cgroupDriver: "cgroupfs", failSwapOn: false, podLogsDir: layout.podLogs, resolvConf: "", clusterDNS: [NETWORK.dnsServiceIp] });
    expect(parse(kubeProxyConfig(layout, "n"))).toMatchObject({ mode: "iptables", clusterCIDR: NETWORK.podCidr });
  });

  it("never masquerades pods, and keeps IPAM state in the state folder", () => {
    const cni = JSON.parse(cniConfig(layout)) as { plugins: { type: string; ipMasq?: boolean; ipam?: { dataDir: string } }[] };
    const bridge = cni.plugins.find((p) => p.type === "bridge");
    expect(bridge?.ipMasq).toBe(false);
    expect(bridge?.ipam?.dataDir).toBe(layout.cniIpam);
    expect(cni.plugins.map((p) => p.type)).toEqual(["bridge", "portmap"]);
  });

  it("gives CoreDNS the kubernetes plugin and no upstream", () => {
    const text = corefile(layout);
    expect(text).toMatch(/kubernetes cluster\.local/);
    expect(text).toContain(`bind ${NETWORK.nodeIp}`);
    expect(text).not.toMatch(/\b(forward|proxy)\b/);
  });

  it("starts etcd first and the API server second, so a stop in reverse order stops etcd last", () => {
    const names = daemons(layout, bin, "n").map((d) => d.name);
    expect(names.slice(0, 2)).toEqual(["etcd", "kube-apiserver"]);
    expect(names).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "containerd", "kubelet", "kube-proxy", "coredns"]);
    for (const d of daemons(layout, bin, "n")) expect(d.argv.join(" "), d.name).toContain(layout.root);
  });

  it("names every node address and the kubernetes Service in the API server's certificate", () => {
    const api = leafSpecs("n").find((s) => s.file === "apiserver");
    const ext = extensionsOf(api!);
    for (const ip of [NETWORK.nodeIp, NETWORK.apiServiceIp, "127.0.0.1"]) expect(ext).toContain(`IP:${ip}`);
    expect(ext).toContain("DNS:kubernetes.default.svc.cluster.local");
    expect(leafSpecs("n").find((s) => s.file === "kubelet")).toMatchObject({ commonName: "system:node:n", organization: "system:nodes" });
  });
});

describe("egress guard and teardown", () => {
  it("lets pods reach only the pod, service and node networks, then drops", () => {
    const { chain, jumps } = guardRules();
    const allowed = chain.filter((r) => r.at(-1) === "RETURN").map((r) => r[1]);
    expect(allowed.sort()).toEqual([NETWORK.podCidr, NETWORK.serviceCidr, `${NETWORK.nodeIp}/32`].sort());
    expect(chain.at(-1)?.at(-1)).toBe("DROP");
    // Both by source and by the bridge the packet came in on (a pod may forge its source).
    expect(jumps).toContainEqual(["-s", NETWORK.podCidr, "-j", EGRESS_CHAIN]);
    expect(jumps).toContainEqual(["-i", NETWORK.podBridge, "-j", EGRESS_CHAIN]);
  });

  const save = `# Generated by iptables-save
*mangle
:PREROUTING ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:MESHPROOF-EGRESS - [0:0]
-A FORWARD -s 10.244.0.0/24 -j MESHPROOF-EGRESS
-A FORWARD -i mpbr0 -j MESHPROOF-EGRESS
-A MESHPROOF-EGRESS -d 10.244.0.0/24 -j RETURN
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:DOCKER-USER - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
-A INPUT -j KUBE-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A FORWARD -j DOCKER-USER
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
COMMIT
`;

  it("removes jumps into the cluster's chains, then the chains, and leaves everything else", () => {
    const script = removalScript(save);
    expect(script).toContain("-D FORWARD -s 10.244.0.0/24 -j MESHPROOF-EGRESS");
    expect(script).toContain('-D INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS');
    expect(script).toContain("-X KUBE-KUBELET-CANARY");
    expect(script).toContain("-X MESHPROOF-EGRESS");
    expect(script).not.toContain("DOCKER-USER");
    // Deletions and flushes come before any chain is deleted (a referenced chain cannot go).
    for (const block of script.split("COMMIT").filter((b) => b.trim())) {
      const lines = block.trim().split("\n");
      const lastDF = Math.max(...lines.map((l, i) => (l.startsWith("-D") || l.startsWith("-F") ? i : -1)));
      const firstX = lines.findIndex((l) => l.startsWith("-X"));
      expect(firstX).toBeGreaterThan(lastDF);
    }
    expect(removalScript("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n")).toBe("");
  });

  it("lists mounts under the state folder deepest first, decoding escaped spaces", () => {
    const info = [
      "22 1 0:21 / / rw - ext4 /dev/vda rw",
      "90 22 0:50 / /s/meshproof/host/x/kubelet rw - ext4 /dev/vda rw",
      "91 90 0:51 / /s/meshproof/host/x/kubelet/pods/a/volumes/kube-api-access rw - tmpfs tmpfs rw",
      "92 22 0:52 / /s/meshproof/host/x\\040y rw - tmpfs tmpfs rw",
      "93 22 0:53 / /s/meshproof/host/xx rw - tmpfs tmpfs rw",
    ].join("\n");
    expect(mountsUnder("/s/meshproof/host/x", info)).toEqual(["/s/meshproof/host/x/kubelet/pods/a/volumes/kube-api-access", "/s/meshproof/host/x/kubelet"]);
  });
});

describe("host provider plan", () => {
  const pause = { name: "pause", ref: "meshproof.local/pause:p1", archive: "/c/images/pause-p1.oci.tar" };
  const sim = { name: "llm-sim", ref: "meshproof.local/llm-sim:s1", archive: "/c/images/llm-sim-s1.oci.tar" };
  const provider = hostProvider({ name: "t", pause, images: [sim] });

  it("shows the pause build, the cluster's own start (with its stop as undo) and the pause import", () => {
    const steps = provider.ensure();
    expect(steps.map((s) => s.id)).toEqual(["build-image-pause", "start-host-cluster", "import-image-pause"]);
    const start = steps[1];
    expect(start?.kind === "command" && start.argv).toEqual(["tsx", "src/cluster/host/main.ts", "up", "--name", "t", "--sandbox-image", pause.ref]);
    expect(start?.kind === "command" && start.undo).toEqual([hostDestroyStep("t")]);
    const imp = steps[2];
    expect(imp?.kind === "command" && imp.argv).toEqual(["ctr", "--address", hostLayout("t").containerdSocket, "-n", "k8s.io", "images", "import", pause.archive]);
    expect(provider.context).toBe("host-t");
  });

  it("imports the stack's images by their archives, and refuses an image it has no recipe for", () => {
    expect(provider.loadImages([sim.ref]).map((s) => s.id)).toEqual(["build-image-llm-sim", "import-image-llm-sim"]);
    expect(() => provider.loadImages(["docker.io/library/nginx:1"])).toThrow(/no recipe/);
  });
});

describe("host cluster preflight", () => {
  it("says what is missing, that `npm run setup` builds it and how long that takes (exit 4)", async () => {
    const { requireBinaries } = await import("../../src/cluster/host/binaries.js");
    const empty = { HOME: "/nonexistent-home", PATH: "/nonexistent-bin" } as NodeJS.ProcessEnv;
    let error: unknown;
    try {
      requireBinaries(empty);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ exitCode: 4 });
    expect((error as Error).message).toContain("kube-apiserver v1.34.4");
    expect((error as Error).message).toContain("CoreDNS v1.15.0");
    expect((error as { hint: string }).hint).toMatch(/npm run setup.*minutes/);
  });

  it("stamps the Kubernetes version into component-base and client-go", async () => {
    const { kubernetesLdflags } = await import("../../scripts/setup/host-cluster.js");
    const flags = kubernetesLdflags("v1.34.4");
    for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
      expect(flags).toContain(`-X ${pkg}.gitVersion=v1.34.4`);
      expect(flags).toContain(`-X ${pkg}.gitMajor=1`);
      expect(flags).toContain(`-X ${pkg}.gitMinor=34`);
    }
  });
});
