import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/plan/steps.js";
import { fieldsLinkerdWouldIgnore, linkerdDriver } from "../../../src/mesh/linkerd/index.js";
import { goldenCases, target } from "../gamma/reference-policy.js";

const route = (spec: unknown): KubeObject => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r" }, spec });

describe("HTTPRoutes Linkerd 2.20 will read", () => {
  it("every rendered HTTPRoute uses only Gateway API 1.2.1 fields and values", () => {
    let routes = 0;
    for (const intents of Object.values(goldenCases)) {
      for (const m of linkerdDriver.render(intents, target, "gamma").manifests.filter((x) => x.kind === "HTTPRoute")) {
        expect(fieldsLinkerdWouldIgnore(m), m.metadata.name).toEqual([]);
        routes += 1;
      }
    }
    expect(routes).toBeGreaterThan(3);
  });

  it("flags experimental and newer fields, misspellings and unknown values", () => {
    expect(fieldsLinkerdWouldIgnore(route({ rules: [{ retry: { attempts: 2 } }] }))).toEqual(["spec.rules[].retry", "spec.rules[].retry.attempts"]);
    expect(fieldsLinkerdWouldIgnore(route({ rules: [{ name: "a", timeouts: { requests: "1s" } }] }))).toEqual(["spec.rules[].name", "spec.rules[].timeouts.requests"]);
    expect(fieldsLinkerdWouldIgnore(route({ rules: [{ matches: [{ path: { type: "Prefix", value: "/" } }] }] }))).toEqual(["spec.rules[].matches[].path.type=Prefix"]);
  });
});
