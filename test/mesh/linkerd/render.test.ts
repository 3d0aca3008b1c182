import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/plan/steps.js";
import { INTENT_KINDS, parseIntents } from "../../../src/mesh/intent.js";
import { createLinkerdDriver, FAULT_BACKEND_IMAGE, linkerdDriver, linkerdDuration } from "../../../src/mesh/linkerd/index.js";
import { goldenCases, referenceIntents, target } from "../gamma/reference-policy.js";

type Rule = { matches?: { path?: { value: string }; headers?: { name: string; value: string }[]; method?: string }[]; backendRefs?: { name: string; weight?: number }[] };
const render = (intents: unknown[]) => linkerdDriver.render(parseIntents(intents), target, "native");
const byKind = (ms: KubeObject[], kind: string) => ms.filter((m) => m.kind === kind);
const spec = <T>(m: KubeObject | undefined) => m?.["spec"] as T;
const rules = (m: KubeObject | undefined) => spec<{ rules: Rule[] }>(m).rules;

describe("Linkerd enrolment", () => {
  it("annotates namespaces for injection and pods with the reference proxy resources", () => {
    expect(linkerdDriver.enrollNamespace()).toEqual({ labels: {}, annotations: { "linkerd.io/inject": "enabled" } });
    expect(linkerdDriver.podAnnotations()).toEqual({ "config.linkerd.io/proxy-cpu-request": "100m", "config.linkerd.io/proxy-memory-request": "128Mi" });
    expect(createLinkerdDriver({ proxyResources: { cpuRequest: "50m", memoryLimit: "1Gi" } }).podAnnotations()).toEqual({
      "config.linkerd.io/proxy-cpu-request": "50m",
      "config.linkerd.io/proxy-memory-limit": "1Gi",
    });
  });

  it("declares every intent kind, the same for native and GAMMA routing", () => {
    expect(Object.keys(linkerdDriver.capabilities("native")).sort()).toEqual([...INTENT_KINDS].sort());
    expect(linkerdDriver.capabilities("gamma")).toEqual(linkerdDriver.capabilities("native"));
    expect(linkerdDriver.references.every((r) => r.includes("2.20") || r.includes("gateway-api") || r.includes("releases"))).toBe(true);
  });
});

describe("Linkerd routing", () => {
  it("puts retries and timeouts in annotations, one route per distinct setting, and no experimental fields", () => {
    const { manifests } = render([referenceIntents.split, referenceIntents.retry, referenceIntents.timeoutInference]);
    const routes = byKind(manifests, "HTTPRoute");
    expect(routes.map((r) => [r.metadata.name, r.metadata.annotations])).toEqual([
      ["llm-sim-route", { "timeout.linkerd.io/request": "1m", "retry.linkerd.io/limit": "3", "retry.linkerd.io/http": "5xx", "retry.linkerd.io/timeout": "2s" }],
      ["llm-sim-route-2", { "retry.linkerd.io/limit": "3", "retry.linkerd.io/http": "5xx", "retry.linkerd.io/timeout": "2s" }],
    ]);
    expect(JSON.stringify(routes)).not.toMatch(/"retry"|"timeouts"/);
    expect(rules(routes[0])[0]?.matches?.[0]?.path?.value).toBe("/v1");
  });

  it("writes retry conditions without spaces and codes one by one (Linkerd splits on ',' and does not trim)", () => {
    const { manifests } = render([{ kind: "retry", attempts: 2, retryOn: ["gateway-error", "retriable-status-codes"], statusCodes: [429, 500] }]);
    expect(byKind(manifests, "HTTPRoute")[0]?.metadata.annotations?.["retry.linkerd.io/http"]).toBe("gateway-error,429,500");
  });

  it("reports the retry budget and connection-level conditions as parts it cannot express", () => {
    const { unsupported } = render([referenceIntents.retry]);
    expect(unsupported.map((u) => [u.intent, u.partial])).toEqual([
      ["retry", true],
      ["retry", true],
    ]);
    expect(unsupported[1]?.reason).toMatch(/retry budget \(20% of requests, at least 10\/s, over 10s\).*ServiceProfiles/);
  });

  it("routes the abort percentage to an nginx backend answering with the status, keeping the split ratios", () => {
    const { manifests, unsupported } = render([referenceIntents.split, { kind: "fault", abort: { percent: 5, status: 503 } }]);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      "Service/llm-sim-stable",
      "Service/llm-sim-canary",
      "ConfigMap/llm-sim-fault-503",
      "Deployment/llm-sim-fault-503",
      "Service/llm-sim-fault-503",
      "HTTPRoute/llm-sim-route",
    ]);
    expect(rules(byKind(manifests, "HTTPRoute")[0])[0]?.backendRefs).toEqual([
      { name: "llm-sim-stable", port: 8000, weight: 171 },
      { name: "llm-sim-canary", port: 8000, weight: 19 },
      { name: "llm-sim-fault-503", port: 8000, weight: 10 },
    ]);
    expect((byKind(manifests, "ConfigMap")[0]?.["data"] as Record<string, string>)["nginx.conf"]).toContain("return 503;");
    const pod = (spec<{ template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } }>(byKind(manifests, "Deployment")[0])).template.metadata;
    expect(pod.labels["app.kubernetes.io/name"]).toBe("llm-sim-fault-503");
    expect(pod.annotations).toEqual(linkerdDriver.podAnnotations());
    expect(unsupported).toEqual([]);
  });

  it("injects the fault only where its match holds, and says a delay is impossible", () => {
    const { manifests, unsupported } = render([referenceIntents.fault]);
    const [chaos, rest] = rules(byKind(manifests, "HTTPRoute")[0]);
    expect(chaos?.matches?.[0]?.headers).toEqual([{ name: "x-chaos", type: "Exact", value: "true" }]);
    expect(chaos?.backendRefs).toEqual([
      { name: "llm-sim", port: 8000, weight: 19 },
      { name: "llm-sim-fault-503", port: 8000, weight: 1 },
    ]);
    expect(rest).toEqual({ backendRefs: [{ name: "llm-sim", port: 8000 }] });
    expect(unsupported).toEqual([{ intent: "fault", partial: true, reason: expect.stringMatching(/^delay injection/) }]);
  });

  it("renders nothing for a delay-only fault and reports the whole intent", () => {
    const { manifests, unsupported } = render([{ kind: "fault", delay: { percent: 10, ms: 500 } }]);
    expect(manifests).toEqual([]);
    expect(unsupported).toEqual([{ intent: "fault", reason: expect.stringMatching(/^delay injection/) }]);
  });

  it("warns that Linkerd retries injected aborts when retries cover them", () => {
    const { unsupported } = render([{ kind: "fault", abort: { percent: 5, status: 503 } }, { kind: "retry", attempts: 1, retryOn: ["5xx"] }]);
    expect(unsupported.some((u) => u.intent === "fault" && /retries it/.test(u.reason))).toBe(true);
  });
});

describe("Linkerd circuit breaking", () => {
  it("annotates the target Service (repeating its selector and port) and reports interval, ejection cap and pool limits", () => {
    const { manifests, unsupported } = render([referenceIntents.outlier]);
    expect(manifests).toEqual([
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: "llm-sim",
          namespace: target.namespace,
          labels: target.labels,
          annotations: {
            "balancer.linkerd.io/failure-accrual": "consecutive",
            "balancer.linkerd.io/failure-accrual-consecutive-max-failures": "5",
            "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": "30s",
            "balancer.linkerd.io/failure-accrual-consecutive-max-penalty": "1m",
          },
        },
        spec: { selector: target.selector, ports: [{ name: "http", port: 8000, targetPort: 8000, protocol: "TCP" }] },
      },
    ]);
    expect(unsupported.map((u) => u.reason.split(":")[0])).toEqual(["detection interval 30000 ms", "at most 50% ejected", "connection-pool limits (maxConnections, maxPendingRequests)"]);
  });

  it("keeps the maximum penalty at least the minimum (Linkerd rejects the config otherwise)", () => {
    const { manifests } = render([{ ...referenceIntents.outlier, baseEjectionMs: 120_000, maxEjectionPercent: 100, connectionPool: undefined }]);
    expect(manifests[0]?.metadata.annotations?.["balancer.linkerd.io/failure-accrual-consecutive-max-penalty"]).toBe("2m");
  });
});

describe("Linkerd inbound policy", () => {
  it("strict mTLS: a Server that admits only authenticated clients, plus permissive ports", () => {
    const { manifests } = render([{ kind: "mtls", mode: "strict", permissivePorts: [9090] }]);
    expect(manifests.map((m) => [m.metadata.name, spec<{ port: number; accessPolicy: string }>(m).port, spec<{ accessPolicy: string }>(m).accessPolicy])).toEqual([
      ["llm-sim-server", 8000, "all-authenticated"],
      ["llm-sim-server-9090", 9090, "all-unauthenticated"],
    ]);
    expect(spec<{ podSelector: unknown }>(manifests[0]).podSelector).toEqual({ matchLabels: target.selector });
  });

  it("permissive mTLS admits unauthenticated clients", () => {
    expect(spec<{ accessPolicy: string }>(render([{ kind: "mtls", mode: "permissive" }]).manifests[0]).accessPolicy).toBe("all-unauthenticated");
  });

  it("identity-only rules authorize the Server directly", () => {
    const { manifests } = render([{ kind: "authz", rules: [{ serviceAccounts: ["meshproof-llm/loadgen"] }] }]);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(["Server/llm-sim-server", "MeshTLSAuthentication/llm-sim-authz-1", "AuthorizationPolicy/llm-sim-authz-1"]);
    expect(spec<{ accessPolicy: string }>(manifests[0]).accessPolicy).toBe("deny");
    expect(spec<unknown>(manifests[2])).toEqual({
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "llm-sim-server" },
      requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "llm-sim-authz-1" }],
    });
  });

  it("rules on requests get their own Server routes, and kubelet probes keep working", () => {
    const { manifests } = render([referenceIntents.authz]);
    const names = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(names).toContain("HTTPRoute/llm-sim-authz-probes");
    expect(names).toContain("NetworkAuthentication/llm-sim-any-network");
    const route2 = manifests.find((m) => m.kind === "HTTPRoute" && m.metadata.name === "llm-sim-authz-2");
    expect(spec<{ parentRefs: unknown }>(route2).parentRefs).toEqual([{ group: "policy.linkerd.io", kind: "Server", name: "llm-sim-server" }]);
    expect(rules(route2)[0]?.matches).toEqual([{ path: { type: "PathPrefix", value: "/metrics" }, method: "GET" }]);
    const authn2 = manifests.find((m) => m.kind === "MeshTLSAuthentication" && m.metadata.name === "llm-sim-authz-2");
    expect(spec<unknown>(authn2)).toEqual({ identityRefs: [{ kind: "Namespace", name: "meshproof-monitoring" }] });
    const policy1 = manifests.find((m) => m.kind === "AuthorizationPolicy" && m.metadata.name === "llm-sim-authz-1");
    expect(spec<{ targetRef: unknown }>(policy1).targetRef).toEqual({ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "llm-sim-authz-1" });
  });

  it("a rule naming no caller needs a mesh identity under strict mTLS, and any network otherwise", () => {
    const rule = { kind: "authz", rules: [{ methods: ["GET"] }] };
    const strict = render([rule, { kind: "mtls", mode: "strict" }]).manifests;
    expect(spec<unknown>(strict.find((m) => m.kind === "MeshTLSAuthentication"))).toEqual({ identities: ["*"] });
    const open = render([rule]).manifests;
    expect(open.find((m) => m.kind === "MeshTLSAuthentication")).toBeUndefined();
    const policy = open.find((m) => m.kind === "AuthorizationPolicy" && m.metadata.name === "llm-sim-authz-1");
    expect(spec<{ requiredAuthenticationRefs: unknown }>(policy).requiredAuthenticationRefs).toEqual([{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "llm-sim-any-network" }]);
  });

  it("rate limits in whole requests per second on a Server that does not deny by itself", () => {
    const { manifests, unsupported } = render([referenceIntents.rateLimit]);
    expect(spec<{ accessPolicy: string }>(manifests[0]).accessPolicy).toBe("all-unauthenticated");
    expect(spec<unknown>(manifests[1])).toEqual({ targetRef: { group: "policy.linkerd.io", kind: "Server", name: "llm-sim-server" }, total: { requestsPerSecond: 2 } });
    expect(unsupported).toEqual([{ intent: "rateLimit", partial: true, reason: expect.stringContaining("rendered as 2/s, i.e. 120 per 60000 ms") }]);
    expect(render([{ kind: "rateLimit", requests: 50, intervalMs: 1000 }]).unsupported).toEqual([]);
    expect(render([{ kind: "rateLimit", requests: 50, intervalMs: 1000, burst: 10 }]).unsupported[0]?.reason).toMatch(/burst 10/);
    // The same average rate over a longer interval is a bigger bucket than Linkerd's one second.
    for (const [requests, intervalMs] of [[120, 60_000], [100, 2_000]] as const) {
      const rendered = render([{ kind: "rateLimit", requests, intervalMs }]);
      expect(spec<{ total: unknown }>(rendered.manifests[1]).total).toEqual({ requestsPerSecond: (requests * 1000) / intervalMs });
      expect(rendered.unsupported).toEqual([{ intent: "rateLimit", partial: true, reason: expect.stringContaining(`admits a burst of ${requests}`) }]);
    }
  });
});

describe("Linkerd rendering as a whole", () => {
  it("stamps the target's labels and namespace on everything", () => {
    for (const m of render(goldenCases["reference"] ?? []).manifests) {
      expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe(target.namespace);
      expect(m.metadata.labels, `${m.kind}/${m.metadata.name}`).toMatchObject(target.labels);
    }
  });

  it("renders the same for native and GAMMA routing (Linkerd's routing API is Gateway API)", () => {
    const intents = goldenCases["reference"] ?? [];
    expect(linkerdDriver.render(intents, target, "gamma")).toEqual(linkerdDriver.render(intents, target, "native"));
  });

  it("is deterministic, and refuses contradicting intents", () => {
    const intents = goldenCases["reference"] ?? [];
    expect(linkerdDriver.render(intents, target, "native")).toEqual(linkerdDriver.render(intents, target, "native"));
    expect(() => render([{ kind: "mtls", mode: "strict" }, { kind: "mtls", mode: "permissive" }])).toThrow(/2 mtls intents/);
  });
});

describe("Linkerd values", () => {
  it("writes durations as one number and one unit", () => {
    expect([500, 2_000, 60_000, 90_000, 7_200_000].map(linkerdDuration)).toEqual(["500ms", "2s", "1m", "90s", "2h"]);
  });
});

describe("the abort backend where nginx cannot be pulled (host cluster)", () => {
  const abort = [{ kind: "fault", abort: { percent: 5, status: 503 } }];
  const containersOf = (manifests: Array<{ kind: string; spec?: unknown }>) =>
    manifests.filter((m) => m.kind === "Deployment").flatMap((m) => (m.spec as { template: { spec: { containers: Array<{ image: string; env?: Array<{ name: string; value: string }> }> } } }).template.spec.containers);

  it("runs the imported llm-sim told to fail every completion with the abort status, and no nginx ConfigMap", () => {
    const driver = createLinkerdDriver({ faultServer: { simImage: "meshproof.local/llm-sim:abc" } });
    const { manifests } = driver.render(parseIntents(abort), target, "native");
    const [container] = containersOf(manifests);
    expect(container?.image).toBe("meshproof.local/llm-sim:abc");
    expect(container?.env).toEqual(expect.arrayContaining([{ name: "LLMSIM_ERROR_RATE", value: "1" }, { name: "LLMSIM_ERROR_STATUS", value: "503" }]));
    expect(manifests.some((m) => m.kind === "ConfigMap")).toBe(false);
  });

  it("mutant: without it the documented nginx backend is rendered", () => {
    const { manifests } = linkerdDriver.render(parseIntents(abort), target, "native");
    expect(containersOf(manifests)[0]?.image).toBe(FAULT_BACKEND_IMAGE);
  });
});
