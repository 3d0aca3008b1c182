/**
 * The host cluster for real: the control plane answers, a pod runs (logs and exec work), the
 * cluster DNS resolves a Service and nothing outside the cluster, and the egress guard keeps a
 * pod from reaching a host outside the cluster's networks. That outside host is a listener in
 * a network namespace this test creates, on an address of a documentation range (TEST-NET-2)
 * on a link it creates: no real outside address is ever targeted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { status } from "../../src/cluster/host/lifecycle.js";
import { guardDrops, guardInstalled, sh } from "../../src/cluster/host/network.js";
import { EGRESS_CHAIN, NETWORK } from "../../src/cluster/host/settings.js";
import { hostSkipReason, sharedHostCluster, type SharedCluster } from "./host-shared.js";

const skip = hostSkipReason();
const NS = `meshproof-hosttest-${randomBytes(3).toString("hex")}`;
const OUTSIDE = { netns: `mp-outside-${randomBytes(2).toString("hex")}`, hostLink: "mpout-h", nsLink: "mpout-n", hostIp: "198.51.100.1", ip: "198.51.100.2", port: 18080 };
const NODE = "/usr/local/bin/node";

describe.skipIf(skip)(`host cluster${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: SharedCluster;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    cluster = await sharedHostCluster();
    await cluster.kubectl(["create", "namespace", NS]);
    cleanups.push(() => cluster.kubectl(["delete", "namespace", NS, "--wait=false"], { allowFailure: true }));
    await cluster.kubectl(["label", "namespace", NS, "app.kubernetes.io/managed-by=meshproof"]);
    // One long-lived probe pod serves every test: start-up is the slow part on a busy machine.
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "probe", namespace: NS, labels: { "app.kubernetes.io/managed-by": "meshproof" } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: "probe", image: cluster.simImage.ref, imagePullPolicy: "Never", command: [NODE, "-e", "console.log('probe pod running'); setInterval(() => {}, 1 << 30)"] }],
      },
    };
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "dns-target", namespace: NS }, spec: { selector: { app: "none" }, ports: [{ port: 80 }] } };
    await cluster.kubectl(["apply", "-f", "-"], { input: [pod, svc].map((o) => stringify(o)).join("---\n") });
    await cluster.kubectl(["wait", "-n", NS, "--for=condition=Ready", "pod/probe", "--timeout=240s"], { timeoutMs: 250_000 });
  }, 900_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  /** Run a Node.js snippet inside the probe pod; its stdout. */
  const inPod = async (script: string) => (await cluster.kubectl(["exec", "-n", NS, "probe", "--", NODE, "-e", script], { timeoutMs: 60_000 })).stdout.trim();

  it("answers on the API server, every daemon is ready and the node is Ready", async () => {
    expect((await cluster.kubectl(["get", "--raw", "/readyz"])).stdout.trim()).toBe("ok");
    const s = await status(cluster.name);
    expect(s.daemons.filter((d) => !d.ready).map((d) => d.name)).toEqual([]);
    const node = await cluster.kubectl(["get", "nodes", "-o", "jsonpath={.items[0].status.conditions[?(@.type==\"Ready\")].status} {.items[0].status.nodeInfo.kubeletVersion}"]);
    expect(node.stdout).toBe("True v1.34.4");
    expect(await guardInstalled()).toBe(true);
  });

  it("runs a pod from a locally imported image, with its logs and exec", async () => {
    expect((await cluster.kubectl(["logs", "-n", NS, "probe"])).stdout).toContain("probe pod running");
    expect(await inPod("console.log(6 * 7)")).toBe("42");
  });

  it("resolves a Service through the cluster DNS, and no name outside the cluster", async () => {
    const ip = (await cluster.kubectl(["get", "service", "-n", NS, "dns-target", "-o", "jsonpath={.spec.clusterIP}"])).stdout.trim();
    const lookup = (name: string) => inPod(`require("dns").promises.lookup(${JSON.stringify(name)}, { family: 4 }).then((r) => console.log(r.address), (e) => console.log("ERR " + e.code))`);
    expect(await lookup(`dns-target.${NS}.svc.cluster.local`)).toBe(ip);
    expect(await lookup("dns-target")).toBe(ip); // through the pod's search path
    expect(await lookup(`missing.${NS}.svc.cluster.local`)).toMatch(/^ERR /);
    // No upstream: a name outside the cluster does not resolve (and no query leaves the machine).
    expect(await lookup("example.com")).toMatch(/^ERR /);
  });

  it("keeps a pod from reaching a host outside the cluster's networks, and counts the drop", async () => {
    // The fake outside host: a network namespace, a veth pair, a TCP listener.
    await sh(["ip", "netns", "add", OUTSIDE.netns]);
    cleanups.push(() => sh(["ip", "netns", "del", OUTSIDE.netns], { allowFailure: true }));
    await sh(["ip", "link", "add", OUTSIDE.hostLink, "type", "veth", "peer", "name", OUTSIDE.nsLink]);
    cleanups.push(() => sh(["ip", "link", "del", OUTSIDE.hostLink], { allowFailure: true }));
    await sh(["ip", "link", "set", OUTSIDE.nsLink, "netns", OUTSIDE.netns]);
    await sh(["ip", "addr", "add", `${OUTSIDE.hostIp}/24`, "dev", OUTSIDE.hostLink]);
    await sh(["ip", "link", "set", OUTSIDE.hostLink, "up"]);
    const inNs = ["ip", "netns", "exec", OUTSIDE.netns];
    await sh([...inNs, "ip", "addr", "add", `${OUTSIDE.ip}/24`, "dev", OUTSIDE.nsLink]);
    await sh([...inNs, "ip", "link", "set", OUTSIDE.nsLink, "up"]);
    await sh([...inNs, "ip", "link", "set", "lo", "up"]);
    await sh([...inNs, "ip", "route", "add", "default", "via", OUTSIDE.hostIp]);
    const listener: ChildProcess = spawn("ip", [...inNs.slice(1), process.execPath, "-e", `require("net").createServer((s) => s.end("outside\\n")).listen(${OUTSIDE.port}, "${OUTSIDE.ip}", () => console.log("listening"))`], { stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(async () => listener.kill("SIGKILL"));
    await new Promise<void>((resolve, reject) => {
      listener.stdout?.once("data", () => resolve());
      listener.once("exit", (code) => reject(new Error(`the outside listener exited ${code}`)));
    });
    // The listener is reachable from the host: a failure from the pod is the guard's doing.
    expect(await reach(OUTSIDE.ip, OUTSIDE.port)).toBe("outside");

    const podReach = `const s = require("net").connect(${OUTSIDE.port}, "${OUTSIDE.ip}"); s.setTimeout(4000); let got = ""; s.on("data", (d) => (got += d)); s.on("end", () => { console.log(got.trim() || "empty"); process.exit(0); }); s.on("timeout", () => { console.log("blocked"); process.exit(0); }); s.on("error", (e) => { console.log("blocked " + e.code); process.exit(0); });`;
    const before = (await guardDrops()) ?? NaN;
    expect(await inPod(podReach)).toMatch(/^blocked/);
    const after = (await guardDrops()) ?? NaN;
    expect(after).toBeGreaterThan(before);

    // Mutant: a hole in the guard for this one fake host only. The same probe now gets through,
    // so the check above is the guard's work and not an artefact of the test's network.
    const hole = ["-d", `${OUTSIDE.ip}/32`, "-p", "tcp", "--dport", String(OUTSIDE.port), "-j", "RETURN"];
    await sh(["iptables", "-w", "-t", "mangle", "-I", EGRESS_CHAIN, "1", ...hole]);
    const closeHole = () => sh(["iptables", "-w", "-t", "mangle", "-D", EGRESS_CHAIN, ...hole], { allowFailure: true });
    cleanups.push(closeHole);
    try {
      expect(await inPod(podReach)).toBe("outside");
    } finally {
      await closeHole();
    }
    expect(await inPod(podReach)).toMatch(/^blocked/);
  }, 120_000);

  it("puts the pod on the pod network, with the guard in mangle FORWARD (before the filter table where kube-proxy accepts)", async () => {
    const podIp = (await cluster.kubectl(["get", "pod", "-n", NS, "probe", "-o", "jsonpath={.status.podIP}"])).stdout.trim();
    expect(podIp.startsWith(NETWORK.podCidr.split(".").slice(0, 3).join("."))).toBe(true);
    const forward = (await sh(["iptables", "-w", "-t", "mangle", "-S", "FORWARD"])).stdout;
    expect(forward).toContain(`-j ${EGRESS_CHAIN}`);
  });
});

/** One TCP exchange from the host, for the listener's sanity check. */
function reach(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    let got = "";
    s.setTimeout(4000, () => (s.destroy(), resolve("timeout")));
    s.on("data", (d) => (got += d));
    s.on("end", () => resolve(got.trim()));
    s.on("error", (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
  });
}
