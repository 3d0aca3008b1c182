import { describe, expect, it } from "vitest";
import type { CommandStep, Step } from "../../../src/plan/steps.js";
import { walkSteps } from "../../../src/plan/steps.js";
import type { InstallOptions } from "../../../src/mesh/driver.js";
import { createLinkerdDriver, linkerdDriver, resolveLinkerdRelease } from "../../../src/mesh/linkerd/index.js";

const cli: InstallOptions = { version: "version-2.20", method: "cli", gatewayApiVersion: "v1.5.1" };
const helm: InstallOptions = { ...cli, method: "helm" };
const driver = createLinkerdDriver({ context: "kind-mp" });
const commands = (steps: Step[]) => steps.filter((s): s is CommandStep => s.kind === "command");
const byId = (steps: Step[], id: string) => {
  const found = [...walkSteps(steps)].find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${steps.map((s) => s.id).join(", ")}`);
  return found;
};

describe("Linkerd versions", () => {
  it("maps version-2.20 to its edge release and chart version, and accepts edge releases", () => {
    expect(resolveLinkerdRelease("version-2.20")).toEqual({ requested: "version-2.20", edge: "edge-26.6.3", chartVersion: "2026.6.3" });
    expect(resolveLinkerdRelease("edge-26.8.3").chartVersion).toBe("2026.8.3");
    expect(() => resolveLinkerdRelease("2.20")).toThrow(/edge release \(edge-YY\.M\.N\)/);
    expect(linkerdDriver.defaultVersion).toBe("version-2.20");
  });
});

describe("Linkerd install with the CLI", () => {
  const steps = driver.install(cli);

  it("installs the standard Gateway API CRDs first, then Linkerd's, then the control plane", () => {
    expect(steps.map((s) => s.id)).toEqual([
      "gateway-api-crds",
      "gateway-api-crds-established",
      "linkerd-check-pre",
      "linkerd-render-crds",
      "linkerd-apply-crds",
      "linkerd-render-control-plane",
      "linkerd-apply-control-plane",
    ]);
    expect(byId(steps, "gateway-api-crds")).toMatchObject({ argv: expect.arrayContaining([expect.stringMatching(/v1\.5\.1\/standard-install\.yaml$/)]) });
  });

  it("pipes `linkerd install` into kubectl with the given context, as argv", () => {
    expect(byId(steps, "linkerd-check-pre")).toMatchObject({ argv: ["linkerd", "--context", "kind-mp", "check", "--pre"] });
    expect(byId(steps, "linkerd-render-crds")).toMatchObject({ argv: ["linkerd", "--context", "kind-mp", "install", "--crds"] });
    expect(byId(steps, "linkerd-apply-crds")).toMatchObject({ argv: ["kubectl", "--context", "kind-mp", "apply", "-f", "-"], stdinFrom: "previous" });
    expect(byId(steps, "linkerd-render-control-plane")).toMatchObject({ argv: ["linkerd", "--context", "kind-mp", "install"] });
    expect(byId(steps, "linkerd-apply-control-plane")).toMatchObject({ stdinFrom: "previous" });
  });

  it("skips every Linkerd step on a cluster that already has Linkerd, so nothing pre-existing is undone", () => {
    for (const id of ["linkerd-check-pre", "linkerd-render-crds", "linkerd-apply-crds", "linkerd-render-control-plane", "linkerd-apply-control-plane"]) {
      expect(byId(steps, id), id).toMatchObject({ skipIf: ["kubectl", "--context", "kind-mp", "get", "namespace", "linkerd"] });
    }
  });

  it("registers the undo of whatever it creates: CRDs, then the whole control plane", () => {
    const crds = byId(steps, "linkerd-apply-crds") as CommandStep;
    expect(crds.undo?.map((s) => (s as CommandStep).argv)).toEqual([["kubectl", "--context", "kind-mp", "delete", "crd", "-l", "linkerd.io/control-plane-ns=linkerd", "--ignore-not-found"]]);
    const cp = byId(steps, "linkerd-apply-control-plane") as CommandStep;
    expect(cp.undo?.map((s) => s.id)).toEqual(["linkerd-render-uninstall", "linkerd-delete-control-plane", "linkerd-namespace-gone"]);
    expect(byId(steps, "gateway-api-crds")).toMatchObject({ undo: [expect.objectContaining({ id: "gateway-api-crds-remove" })] });
  });

  it("leaves its control plane and CRDs in place while another run's pods are meshed by them", () => {
    const shared = createLinkerdDriver({ context: "host-mp", fromBinaries: {}, dataPlaneNamespaces: ["meshproof-linkerd-lk"] });
    const guard = ["kubectl", "--context", "host-mp", "wait", "--for=create", "pods", "--all-namespaces", "-l", "linkerd.io/control-plane-ns=linkerd", "--field-selector", "metadata.namespace!=linkerd,metadata.namespace!=meshproof-linkerd-lk", "--timeout=1s"];
    const undo = shared.install(cli).flatMap((s) => (s.kind === "command" ? (s.undo ?? []) : []));
    expect(undo.map((s) => s.id)).toEqual([
      "linkerd-delete-gateway-api-crds",
      "linkerd-crds-gone",
      "linkerd-delete-crds",
      "linkerd-crds-gone",
      "linkerd-render-uninstall",
      "linkerd-delete-control-plane",
      "linkerd-namespace-gone",
    ]);
    // Every undo step, the waits for the deletions included, is skipped together while the guard holds.
    for (const s of undo) expect(s, s.id).toMatchObject({ kind: "command", skipIf: guard });
    // An explicit uninstall removes Linkerd whoever uses it.
    for (const s of walkSteps(shared.uninstall(cli))) expect(s, s.id).not.toHaveProperty("skipIf");
  });

  it("gives every step, undo steps included, a time limit", () => {
    for (const opts of [cli, helm]) {
      const all = [...driver.install(opts), ...driver.verifyReady(opts), ...driver.upgrade(opts, { ...opts, version: "edge-26.8.3" }), ...driver.uninstall(opts)];
      for (const s of walkSteps(all)) expect(s.timeoutMs, s.id).toBeGreaterThan(0);
    }
  });

  it("uses the CLI named for the version", () => {
    const perVersion = createLinkerdDriver({ cli: (v) => `/opt/linkerd/${v}/linkerd` });
    expect(commands(perVersion.install(cli)).find((s) => s.id === "linkerd-render-crds")?.argv[0]).toBe("/opt/linkerd/version-2.20/linkerd");
    expect(commands(linkerdDriver.install(cli)).find((s) => s.id === "linkerd-render-crds")?.argv).toEqual(["linkerd", "install", "--crds"]);
  });
});

describe("Linkerd install with Helm", () => {
  const steps = driver.install(helm);

  it("generates identity certificates with step, then installs both charts at the pinned chart version", () => {
    expect(steps.map((s) => s.id)).toEqual([
      "gateway-api-crds",
      "gateway-api-crds-established",
      "linkerd-check-pre",
      "linkerd-identity-dir",
      "linkerd-trust-anchor",
      "linkerd-issuer",
      "linkerd-helm-repo",
      "linkerd-helm-crds",
      "linkerd-helm-control-plane",
    ]);
    expect(byId(steps, "linkerd-trust-anchor")).toMatchObject({
      argv: expect.arrayContaining(["step", "certificate", "create", "root.linkerd.cluster.local", "--profile", "root-ca"]),
      skipIf: ["test", "-f", ".meshproof/linkerd-identity/ca.crt"],
    });
    expect(byId(steps, "linkerd-helm-crds")).toMatchObject({
      argv: ["helm", "install", "linkerd-crds", "linkerd-edge/linkerd-crds", "--version", "2026.6.3", "-n", "linkerd", "--create-namespace", "--wait", "--kube-context", "kind-mp"],
      skipIf: ["helm", "status", "linkerd-crds", "-n", "linkerd", "--kube-context", "kind-mp"],
    });
    expect((byId(steps, "linkerd-helm-control-plane") as CommandStep).argv).toEqual(
      expect.arrayContaining(["--set-file", "identityTrustAnchorsPEM=.meshproof/linkerd-identity/ca.crt", "identity.issuer.tls.keyPEM=.meshproof/linkerd-identity/issuer.key"]),
    );
  });

  it("uses certificates the user provides instead of generating them", () => {
    const own = createLinkerdDriver({ identity: { trustAnchorsPem: "ca.pem", issuerCertPem: "i.pem", issuerKeyPem: "i.key" } }).install(helm);
    expect(own.some((s) => s.id === "linkerd-trust-anchor")).toBe(false);
    expect((byId(own, "linkerd-helm-control-plane") as CommandStep).argv).toContain("identityTrustAnchorsPEM=ca.pem");
  });
});

describe("Linkerd readiness, upgrade and uninstall", () => {
  it("waits for the control plane Deployments, then runs linkerd check", () => {
    const steps = driver.verifyReady(cli);
    expect(steps.filter((s) => s.kind === "wait").map((s) => (s.kind === "wait" && s.condition.type === "rollout" ? s.condition.name : ""))).toEqual([
      "linkerd-identity",
      "linkerd-destination",
      "linkerd-proxy-injector",
    ]);
    expect(commands(steps).at(-1)?.argv).toEqual(["linkerd", "--context", "kind-mp", "check", "--wait", "4m"]);
  });

  it("upgrades CRDs, then the control plane, prunes, checks, and restarts the data plane it was told about", () => {
    const steps = createLinkerdDriver({ context: "kind-mp", dataPlaneNamespaces: ["meshproof-llm"] }).upgrade(cli, { ...cli, version: "edge-26.8.3" });
    const argvs = commands(steps).map((s) => s.argv.slice(3).join(" "));
    expect(argvs).toEqual(
      expect.arrayContaining(["upgrade --crds", "apply -f -", "upgrade", "prune", "delete -f - --ignore-not-found", "check --wait 4m", "rollout restart deployment -n meshproof-llm -l app.kubernetes.io/managed-by=meshproof"]),
    );
    const order = steps.map((s) => s.id);
    expect(order.indexOf("linkerd-render-upgrade-crds")).toBeLessThan(order.indexOf("linkerd-render-upgrade"));
    expect(order.indexOf("linkerd-check")).toBeLessThan(order.indexOf("linkerd-restart-meshproof-llm"));
    expect(byId(steps, "linkerd-restarted-meshproof-llm")).toMatchObject({ kind: "wait", condition: { type: "pods-ready", namespace: "meshproof-llm" } });
  });

  it("upgrades Helm releases atomically, keeping the identity", () => {
    const steps = driver.upgrade(helm, { ...helm, version: "edge-26.8.3" });
    expect((byId(steps, "linkerd-helm-upgrade-control-plane") as CommandStep).argv).toEqual(
      expect.arrayContaining(["upgrade", "linkerd-control-plane", "--version", "2026.8.3", "--reset-values", "--atomic", "identity.issuer.tls.crtPEM=.meshproof/linkerd-identity/issuer.crt"]),
    );
    expect(() => driver.upgrade(cli, helm)).toThrow(/uninstall and install with --method helm/);
  });

  it("uninstalls everything linkerd uninstall lists, and waits for the namespace to go", () => {
    expect(driver.uninstall(cli).map((s) => (s.kind === "command" ? s.argv.join(" ") : s.id))).toEqual([
      "linkerd --context kind-mp uninstall --force",
      "kubectl --context kind-mp delete -f - --ignore-not-found",
      "linkerd-namespace-gone",
    ]);
    expect(driver.uninstall(helm).map((s) => s.id)).toEqual(["linkerd-helm-uninstall-control-plane", "linkerd-helm-uninstall-crds", "linkerd-delete-namespace", "linkerd-namespace-gone"]);
  });
});
