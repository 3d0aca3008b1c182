import { describe, expect, it } from "vitest";
import type { InstallOptions } from "../../../src/mesh/driver.js";
import { GAMMA_UNSUPPORTED } from "../../../src/mesh/gamma/index.js";
import { createIstioDriver } from "../../../src/mesh/istio/index.js";
import { ISTIO_GAMMA_FAULT_REASON } from "../../../src/mesh/istio/gamma.js";
import { one, referenceIntents, referencePolicy, target } from "./fixtures.js";

const driver = createIstioDriver();
const render = (intents = referencePolicy) => driver.render(intents, target, "gamma");

describe("Istio in GAMMA mode", () => {
  it("routes with HTTPRoute only: no VirtualService competes for the host", () => {
    const kinds = render().manifests.map((m) => m.kind);
    expect(kinds).toContain("HTTPRoute");
    expect(kinds).not.toContain("VirtualService");
  });

  it("puts circuit breaking on the target Service and on every per-version Service the route sends to, without subsets", () => {
    const rules = render().manifests.filter((m) => m.kind === "DestinationRule");
    expect(rules.map((r) => (r.spec as { host: string }).host)).toEqual([
      "llm-sim.llm.svc.cluster.local",
      "llm-sim-stable.llm.svc.cluster.local",
      "llm-sim-canary.llm.svc.cluster.local",
    ]);
    for (const rule of rules) {
      expect(rule.spec).not.toHaveProperty("subsets");
      expect(rule.spec).toHaveProperty("trafficPolicy.outlierDetection.consecutive5xxErrors", 5);
    }
  });

  it("keeps Istio's own security and rate-limit resources, and no longer reports them unsupported", () => {
    const rendered = render();
    const kinds = rendered.manifests.map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(["PeerAuthentication", "AuthorizationPolicy", "EnvoyFilter"]));
    const reported = rendered.unsupported.map((u) => u.intent);
    for (const kind of ["outlier", "mtls", "authz", "rateLimit"] as const) expect(reported).not.toContain(kind);
  });

  it("reports fault injection unsupported with Istio's reason, not Gateway API's", () => {
    const rendered = render([referenceIntents.fault]);
    expect(rendered.unsupported).toEqual([{ intent: "fault", reason: ISTIO_GAMMA_FAULT_REASON }]);
    expect(rendered.unsupported[0]!.reason).not.toBe(GAMMA_UNSUPPORTED.fault);
    expect(rendered.manifests).toEqual([]);
  });

  it("narrows the connection-failure retry gap to reset, which Istio's translation leaves out", () => {
    const reasons = render([referenceIntents.retry]).unsupported.map((u) => u.reason);
    expect(reasons).toContainEqual(expect.stringMatching(/^retry on reset: Istio translates/));
    expect(reasons.some((r) => /connect-failure, refused-stream: HTTPRouteRetry/.test(r))).toBe(false);
    const withoutReset = render([one({ kind: "retry", attempts: 2, retryOn: ["connect-failure"] })]).unsupported;
    expect(withoutReset).toEqual([]);
  });

  it("declares fault unsupported and the rest native in its GAMMA capabilities", () => {
    const caps = driver.capabilities("gamma");
    expect(caps.fault.support).toBe("unsupported");
    for (const kind of ["split", "route", "retry", "timeout", "outlier", "mtls", "authz", "rateLimit"] as const) {
      expect(caps[kind].support, kind).toBe("native");
    }
  });
});

describe("Istio install for GAMMA routing", () => {
  const opts: InstallOptions = { version: "1.30.3", method: "cli", gatewayApiVersion: "v1.5.1" };
  const gamma = createIstioDriver({ routing: "gamma", context: "kind-x" });

  it("installs the experimental Gateway API CRDs after the CLI check and before istiod", () => {
    const ids = gamma.install(opts).map((s) => s.id);
    expect(ids).toEqual([
      "istio-check-istioctl-1-30-3",
      "gateway-api-crds",
      "gateway-api-crds-established",
      "gateway-api-crds-experimental",
      "istio-install",
      "istio-wait-istiod",
    ]);
    const crds = gamma.install(opts)[1]!;
    expect(crds).toMatchObject({
      argv: ["kubectl", "--context", "kind-x", "apply", "--server-side", "-f", "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml"],
    });
  });

  it("installs no Gateway API CRDs for native routing", () => {
    expect(createIstioDriver().install(opts).some((s) => s.id.startsWith("gateway-api"))).toBe(false);
  });

  it("with Helm, hangs the full uninstall on the first step", () => {
    const [first] = gamma.install({ ...opts, method: "helm" });
    expect(first).toMatchObject({ id: "istio-helm-base-install" });
    const undo = first!.kind === "command" ? first!.undo ?? [] : [];
    expect(undo.map((s) => s.id)).toEqual(gamma.uninstall({ ...opts, method: "helm" }).map((s) => s.id));
  });
});
