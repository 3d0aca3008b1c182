/**
 * Request matches as sets of requests: merge (intersection), implication (subset) and Gateway
 * API precedence. The rule planner needs these because an HTTPRoute picks the most specific
 * matching rule, not the first one listed, so every combination of "which version" and "which
 * policy" has to be spelled out as its own rule.
 * Precedence source: HTTPRouteRule.matches in https://gateway-api.sigs.k8s.io/reference/spec/
 * (v1.5.1): exact path, then longest prefix, then method, then most header matches.
 */
import type { IIoK8sSigsGatewayApiApisV1HTTPRouteMatch as HTTPRouteMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteMatch";
import type { HeaderMatch, PathMatch, RequestMatch } from "../intent.js";

/**
 * A header that must merely be present is rendered as a regular expression matching any value
 * (Gateway API has no presence match). RegularExpression header matches have
 * implementation-specific support in Gateway API; Linkerd 2.20's HTTPRoute reference lists them
 * (https://linkerd.io/2.20/reference/httproute/#httpheadermatch). Whether another mesh honours
 * them is for its driver to confirm.
 */
export const ANY_VALUE_REGEX = ".*";

/** A match that selects every request is no match at all: callers treat it as the catch-all. */
export function normalizeMatch(match: RequestMatch | undefined): RequestMatch | undefined {
  if (!match) return undefined;
  const headers = [...match.headers].sort((a, b) => a.name.localeCompare(b.name));
  if (headers.length === 0 && !match.path) return undefined;
  return match.path ? { headers, path: match.path } : { headers };
}

/** Stable text for a match, for de-duplication and deterministic ordering. */
export function matchKey(match: RequestMatch | undefined): string {
  const m = normalizeMatch(match);
  if (!m) return "*";
  const path = m.path ? `${m.path.type}:${m.path.value}` : "";
  const headers = m.headers.map((h) => `${h.name}=${h.match.type}:${"value" in h.match ? h.match.value : ""}`).join("&");
  return `${path}|${headers}`;
}

/** Gateway API prefix matching works on whole path segments: "/v1" covers "/v1/x", not "/v1x". */
function prefixCovers(prefix: string, path: string): boolean {
  if (prefix === "/" || prefix === path) return true;
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  return path.startsWith(base);
}

/** Does `outer` select every request `inner` selects? */
function pathWithin(inner: PathMatch, outer: PathMatch): boolean {
  if (outer.type === "exact") return inner.type === "exact" && inner.value === outer.value;
  return prefixCovers(outer.value, inner.value);
}

/** The intersection of two path conditions, or null when no path satisfies both. */
function mergePaths(a: PathMatch | undefined, b: PathMatch | undefined): PathMatch | undefined | null {
  if (!a) return b;
  if (!b) return a;
  if (pathWithin(a, b)) return a;
  if (pathWithin(b, a)) return b;
  return null;
}

function sameCondition(a: HeaderMatch["match"], b: HeaderMatch["match"]): boolean {
  return a.type === b.type && ("value" in a ? a.value : undefined) === ("value" in b ? b.value : undefined);
}

/**
 * The intersection of two matches; null when they cannot both hold. Two different conditions on
 * one header are treated as disjoint unless one is `present` (which every value satisfies):
 * proving that two regular expressions overlap is beyond a renderer.
 */
export function mergeMatches(a: RequestMatch | undefined, b: RequestMatch | undefined): RequestMatch | undefined | null {
  const x = normalizeMatch(a);
  const y = normalizeMatch(b);
  if (!x) return y;
  if (!y) return x;
  const path = mergePaths(x.path, y.path);
  if (path === null) return null;
  const headers = new Map<string, HeaderMatch>();
  for (const h of [...x.headers, ...y.headers]) {
    const seen = headers.get(h.name);
    if (!seen || seen.match.type === "present") headers.set(h.name, h);
    else if (h.match.type !== "present" && !sameCondition(seen.match, h.match)) return null;
  }
  return normalizeMatch({ headers: [...headers.values()], ...(path ? { path } : {}) });
}

/** Does every request selected by `match` also satisfy `scope`? (An absent scope is everything.) */
export function implies(match: RequestMatch | undefined, scope: RequestMatch | undefined): boolean {
  const s = normalizeMatch(scope);
  if (!s) return true;
  const m = normalizeMatch(match);
  if (!m) return false;
  if (s.path && (!m.path || !pathWithin(m.path, s.path))) return false;
  return s.headers.every((h) => {
    const own = m.headers.find((x) => x.name === h.name);
    return own !== undefined && (h.match.type === "present" || sameCondition(own.match, h.match));
  });
}

/**
 * Gateway API precedence as a sortable tuple (larger wins): exact path, then prefix length, then
 * header count. Methods and query parameters are never rendered, so they do not appear.
 */
export function specificity(match: RequestMatch | undefined): [number, number, number] {
  const m = normalizeMatch(match);
  if (!m) return [0, 1, 0];
  const path = m.path ?? { type: "prefix" as const, value: "/" };
  return [path.type === "exact" ? 1 : 0, path.value.length, m.headers.length];
}

export function compareSpecificity(a: RequestMatch | undefined, b: RequestMatch | undefined): number {
  const x = specificity(a);
  const y = specificity(b);
  for (let i = 0; i < x.length; i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The Gateway API form of a match; undefined for the catch-all (the API then defaults to prefix "/"). */
export function toHttpRouteMatch(match: RequestMatch | undefined): HTTPRouteMatch | undefined {
  const m = normalizeMatch(match);
  if (!m) return undefined;
  const out: HTTPRouteMatch = {};
  if (m.path) out.path = { type: m.path.type === "exact" ? "Exact" : "PathPrefix", value: m.path.value };
  if (m.headers.length > 0) {
    out.headers = m.headers.map((h) =>
      h.match.type === "exact"
        ? { name: h.name, type: "Exact", value: h.match.value }
        : { name: h.name, type: "RegularExpression", value: h.match.type === "regex" ? h.match.value : ANY_VALUE_REGEX },
    );
  }
  return out;
}
