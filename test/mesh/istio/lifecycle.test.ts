import { describe, expect, it } from "vitest";
import type { CommandStep, Step } from "../../../src/plan/steps.js";
import type { InstallOptions } from "../../../src/mesh/driver.js";
import { createIstioDriver, istioDriver, revisionFor } from "../../../src/mesh/istio/index.js";

const cli: InstallOptions = { version: "1.30.3", method: "cli", gatewayApiVersion: "v1.5.1" };
const helm: InstallOptions = { ...cli, method: "helm" };
const driver = createIstioDriver({ context: "kind-meshproof", enrolledNamespaces: ["llm"] });

const commands = (steps: Step[]) => steps.filter((s): s is CommandStep => s.kind === "command");
const argvOf = (steps: Step[], id: string) => {
  const step = steps.find((s) => s.id === id);
  if (!step || step.kind !== "command") throw new Error(`no command step ${id} in ${steps.map((s) => s.id).join(", ")}`);
  return step.argv;
};

/** Every step and every undo step, flattened. */
function allSteps(steps: Step[]): Step[] {
  return steps.flatMap((s) => [s, ...(s.kind === "command" && s.undo ? allSteps(s.undo) : [])]);
}

function expectWellFormed(steps: Step[]) {
  const ids = steps.map((s) => s.id);
  expect(new Set(ids).size, `duplicate ids in ${ids.join(", ")}`).toBe(ids.length);
  for (const step of allSteps(steps)) {
    expect(step.timeoutMs, step.id).toBeGreaterThan(0);
    expect(step.name.length, step.id).toBeGreaterThan(10);
    if (step.kind === "command") {
      expect(step.argv.some((a) => /[|;&]|\$\(/.test(a)), `shell syntax in ${step.id}`).toBe(false);
    }
  }
}

describe("Istio install with istioctl", () => {
  const steps = driver.install(cli);

  it("checks the CLI version, installs the minimal profile, then waits for istiod", () => {
    expect(steps.map((s) => s.id)).toEqual(["istio-check-istioctl-1-30-3", "istio-install", "istio-wait-istiod"]);
    expect(argvOf(steps, "istio-check-istioctl-1-30-3")).toEqual(["npx", "tsx", "src/mesh/istio/check-istioctl.ts", "--expect", "1.30.3"]);
    expect(argvOf(steps, "istio-install")).toEqual([
      "istioctl", "--context", "kind-meshproof", "install", "-y", "--set", "profile=minimal", "--readiness-timeout", "5m",
    ]);
    expect(steps[2]).toMatchObject({ kind: "wait", condition: { type: "rollout", namespace: "istio-system", kind: "Deployment", name: "istiod" } });
  });

  it("registers the removal of what the install step creates", () => {
    const install = commands(steps).find((s) => s.id === "istio-install")!;
    expect(install.undo?.map((u) => (u as CommandStep).argv)).toEqual([["istioctl", "--context", "kind-meshproof", "uninstall", "-y", "--purge"]]);
  });

  it("installs a named revision beside others and waits for its own istiod", () => {
    const revisioned = driver.install({ ...cli, revision: "1-30-3" });
    expect(argvOf(revisioned, "istio-install-1-30-3")).toContain("--revision");
    expect(revisioned.at(-1)).toMatchObject({ condition: { name: "istiod-1-30-3" } });
    const undo = commands(revisioned).find((s) => s.id === "istio-install-1-30-3")!.undo!;
    expect((undo[0] as CommandStep).argv).toEqual(["istioctl", "--context", "kind-meshproof", "uninstall", "-y", "--revision", "1-30-3"]);
  });

  it("leaves out --context when the driver targets the current context", () => {
    expect(argvOf(istioDriver.install(cli), "istio-install").slice(0, 2)).toEqual(["istioctl", "install"]);
  });

  it("has named timeouts, unique ids and no shell syntax", () => expectWellFormed(steps));
});

describe("Istio install with Helm", () => {
  const steps = driver.install({ ...helm, version: "1.30.3" });

  it("installs base then istiod from the official repository at the pinned chart version", () => {
    expect(argvOf(steps, "istio-helm-base-install")).toEqual([
      "helm", "--kube-context", "kind-meshproof", "upgrade", "--install", "istio-base", "base",
      "--repo", "https://istio-release.storage.googleapis.com/charts", "--version", "1.30.3",
      "--namespace", "istio-system", "--create-namespace", "--set", "defaultRevision=default", "--wait", "--timeout", "5m",
    ]);
    expect(argvOf(steps, "istio-helm-istiod")).toEqual([
      "helm", "--kube-context", "kind-meshproof", "upgrade", "--install", "istiod", "istiod",
      "--repo", "https://istio-release.storage.googleapis.com/charts", "--version", "1.30.3",
      "--namespace", "istio-system", "--wait", "--timeout", "5m",
    ]);
  });

  it("needs no istioctl version check", () => {
    expect(steps.some((s) => s.id.startsWith("istio-check-istioctl"))).toBe(false);
  });

  it("has named timeouts, unique ids and no shell syntax", () => expectWellFormed(steps));
});

describe("Istio readiness", () => {
  it("waits for istiod, the injection webhook and proxy-status", () => {
    const steps = driver.verifyReady(cli);
    expect(steps.map((s) => s.id)).toEqual(["istio-ready-istiod", "istio-wait-injector", "istio-wait-proxy-status"]);
    expect(steps[1]).toMatchObject({
      condition: { type: "command", argv: ["kubectl", "--context", "kind-meshproof", "get", "mutatingwebhookconfiguration", "istio-sidecar-injector"] },
    });
    expect(steps[2]).toMatchObject({ condition: { argv: ["istioctl", "--context", "kind-meshproof", "proxy-status"] } });
  });

  it("does not share step ids with the install it follows", () => {
    expectWellFormed([...driver.install(cli), ...driver.verifyReady(cli)]);
    expectWellFormed([...driver.install(helm), ...driver.verifyReady(helm)]);
  });
});

describe("Istio upgrade by revision canary", () => {
  const from: InstallOptions = { ...cli, version: "1.29.2" };
  const steps = driver.upgrade(from, cli);
  const ids = steps.map((s) => s.id);

  it("installs the new revision, moves namespaces, restarts, then removes the old control plane", () => {
    expect(ids).toEqual([
      "istio-check-istioctl-1-30-3",
      "istio-install-1-30-3",
      "istio-ready-istiod-1-30-3",
      "istio-wait-injector-1-30-3",
      "istio-wait-proxy-status-1-30-3",
      "istio-relabel-llm",
      "istio-restart-llm",
      "istio-wait-restart-llm",
      "istio-remove-old-revision",
      "istio-default-tag",
    ]);
    expect(argvOf(steps, "istio-relabel-llm")).toEqual([
      "kubectl", "--context", "kind-meshproof", "label", "namespace", "llm", "istio-injection-", "istio.io/rev=1-30-3", "--overwrite",
    ]);
    expect(argvOf(steps, "istio-restart-llm")).toEqual([
      "kubectl", "--context", "kind-meshproof", "rollout", "restart", "deployment", "--namespace", "llm", "--selector", "app.kubernetes.io/managed-by=meshproof",
    ]);
    expect(argvOf(steps, "istio-remove-old-revision")).toEqual(["istioctl", "--context", "kind-meshproof", "uninstall", "-y", "--revision", "default"]);
    expect(argvOf(steps, "istio-default-tag")).toEqual([
      "istioctl", "--context", "kind-meshproof", "tag", "set", "default", "--revision", "1-30-3", "--overwrite", "-y",
    ]);
  });

  it("removes a named old revision by its name", () => {
    const named = driver.upgrade({ ...from, revision: "1-29-2" }, cli);
    expect(argvOf(named, "istio-remove-old-revision")).toContain("1-29-2");
  });

  it("upgrades with Helm: CRDs first, new istiod beside the old, default switched last", () => {
    const helmSteps = driver.upgrade({ ...helm, version: "1.29.2" }, helm);
    expect(helmSteps[0]!.id).toBe("istio-helm-base-upgrade-crds");
    expect(argvOf(helmSteps, "istio-helm-base-upgrade-crds")).toContain("defaultRevision=default");
    expect(argvOf(helmSteps, "istio-helm-istiod-1-30-3")).toContain("revision=1-30-3");
    expect(argvOf(helmSteps, "istio-remove-old-revision")).toEqual(["helm", "--kube-context", "kind-meshproof", "uninstall", "istiod", "--namespace", "istio-system"]);
    expect(helmSteps.at(-1)!.id).toBe("istio-helm-base-switch-default");
    expect(argvOf(helmSteps, "istio-helm-base-switch-default")).toContain("defaultRevision=1-30-3");
    expectWellFormed(helmSteps);
  });

  it("has named timeouts, unique ids and no shell syntax", () => expectWellFormed(steps));

  it("says what to pass when it does not know which namespaces to move", () => {
    expect(() => istioDriver.upgrade(from, cli)).toThrow(/enrolledNamespaces/);
  });

  it("refuses to install the new revision under the old one's name", () => {
    expect(() => driver.upgrade({ ...from, revision: "x" }, { ...cli, revision: "x" })).toThrow(/same name/);
  });

  it("derives DNS-label revision names from versions", () => {
    expect(revisionFor("1.30.3")).toBe("1-30-3");
    expect(revisionFor("1.31.0-beta.1")).toBe("1-31-0-beta-1");
  });
});

describe("Istio uninstall", () => {
  it("purges the control plane, then deletes webhooks, namespace, root-cert ConfigMaps and CRDs, tolerating what is gone", () => {
    const steps = driver.uninstall(cli);
    expect(steps[0]).toMatchObject({ argv: ["istioctl", "--context", "kind-meshproof", "uninstall", "-y", "--purge"] });
    const argvs = commands(steps).map((s) => s.argv.join(" "));
    expect(argvs).toContain("kubectl --context kind-meshproof delete namespace istio-system --ignore-not-found --timeout=2m");
    expect(argvs).toContain(
      "kubectl --context kind-meshproof delete mutatingwebhookconfigurations,validatingwebhookconfigurations --selector app.kubernetes.io/part-of=istio --ignore-not-found",
    );
    expect(argvs).toContain("kubectl --context kind-meshproof delete customresourcedefinitions --selector app.kubernetes.io/part-of=istio --ignore-not-found");
    expect(argvs).toContain("kubectl --context kind-meshproof delete customresourcedefinitions --selector chart=istio --ignore-not-found");
    for (const step of commands(steps)) expect(step.allowFailure, step.id).toBe(true);
    expectWellFormed(steps);
  });

  it("removes the Helm releases when installed with Helm", () => {
    const steps = driver.uninstall({ ...helm, revision: "1-30-3" });
    expect(commands(steps).slice(0, 2).map((s) => s.argv.slice(3, 5))).toEqual([
      ["uninstall", "istiod-1-30-3"],
      ["uninstall", "istio-base"],
    ]);
  });
});

describe("Istio enrolment", () => {
  it("labels namespaces for the default revision, or for a named one", () => {
    expect(istioDriver.enrollNamespace()).toEqual({ labels: { "istio-injection": "enabled" }, annotations: {} });
    expect(createIstioDriver({ revision: "1-30-3" }).enrollNamespace()).toEqual({ labels: { "istio.io/rev": "1-30-3" }, annotations: {} });
  });

  it("requests sidecar resources through pod annotations", () => {
    expect(istioDriver.podAnnotations()).toEqual({ "sidecar.istio.io/proxyCPU": "100m", "sidecar.istio.io/proxyMemory": "128Mi" });
  });
});
