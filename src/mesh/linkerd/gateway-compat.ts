/**
 * Linkerd 2.20 reads Gateway API HTTPRoutes only if they use "only fields and values present in
 * the Gateway API 1.2.1 specification"; a route with anything newer is ignored, silently from
 * the API server's point of view (https://linkerd.io/2.20/features/gateway-api/). Every HTTPRoute
 * rendered for Linkerd is therefore checked against the v1.2.1 standard-channel field list
 * (config/crd/standard/gateway.networking.k8s.io_httproutes.yaml at v1.2.1). Filters, which
 * meshproof never renders for Linkerd, are left out so that any use of them is flagged too.
 */
import type { KubeObject } from "../../plan/steps.js";

const SPEC_FIELDS_V1_2_1 = new Set([
  "hostnames",
  "hostnames[]",
  "parentRefs",
  "parentRefs[]",
  "parentRefs[].group",
  "parentRefs[].kind",
  "parentRefs[].name",
  "parentRefs[].namespace",
  "parentRefs[].port",
  "parentRefs[].sectionName",
  "rules",
  "rules[]",
  "rules[].backendRefs",
  "rules[].backendRefs[]",
  "rules[].backendRefs[].group",
  "rules[].backendRefs[].kind",
  "rules[].backendRefs[].name",
  "rules[].backendRefs[].namespace",
  "rules[].backendRefs[].port",
  "rules[].backendRefs[].weight",
  "rules[].matches",
  "rules[].matches[]",
  "rules[].matches[].headers",
  "rules[].matches[].headers[]",
  "rules[].matches[].headers[].name",
  "rules[].matches[].headers[].type",
  "rules[].matches[].headers[].value",
  "rules[].matches[].method",
  "rules[].matches[].path",
  "rules[].matches[].path.type",
  "rules[].matches[].path.value",
  "rules[].matches[].queryParams",
  "rules[].matches[].queryParams[]",
  "rules[].matches[].queryParams[].name",
  "rules[].matches[].queryParams[].type",
  "rules[].matches[].queryParams[].value",
  "rules[].timeouts",
  "rules[].timeouts.backendRequest",
  "rules[].timeouts.request",
]);

const ENUMS_V1_2_1: Record<string, readonly string[]> = {
  "rules[].matches[].headers[].type": ["Exact", "RegularExpression"],
  "rules[].matches[].path.type": ["Exact", "PathPrefix", "RegularExpression"],
  "rules[].matches[].method": ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"],
};

/** Every field path of a JSON value, arrays written as `[]`, with its leaf values. */
function* walk(value: unknown, path: string): Generator<[string, unknown]> {
  if (Array.isArray(value)) {
    for (const item of value) {
      yield [`${path}[]`, item];
      yield* walk(item, `${path}[]`);
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      yield [p, v];
      yield* walk(v, p);
    }
  }
}

/** Fields or values of an HTTPRoute's spec that Gateway API 1.2.1 (and so Linkerd 2.20) does not know. */
export function fieldsLinkerdWouldIgnore(route: KubeObject): string[] {
  const problems = new Set<string>();
  for (const [path, value] of walk(route["spec"], "")) {
    if (!SPEC_FIELDS_V1_2_1.has(path)) problems.add(`spec.${path}`);
    const allowed = ENUMS_V1_2_1[path];
    if (allowed && !allowed.includes(String(value))) problems.add(`spec.${path}=${String(value)}`);
  }
  return [...problems];
}

export function assertReadableByLinkerd(route: KubeObject): KubeObject {
  const problems = fieldsLinkerdWouldIgnore(route);
  if (problems.length > 0) {
    throw new Error(`HTTPRoute ${route.metadata.name} uses ${problems.join(", ")}, which Gateway API 1.2.1 lacks; Linkerd 2.20 would ignore the whole route`);
  }
  return route;
}
