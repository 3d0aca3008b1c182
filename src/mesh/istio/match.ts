/**
 * Request matches: the intent's RequestMatch as Istio's HTTPMatchRequest, and the conjunction of
 * two matches, which the VirtualService needs when a scoped policy (a fault on a chaos header)
 * meets a route (the canary header) and both must hold for one route entry.
 *
 * Istio semantics (HTTPMatchRequest in
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/ and
 * https://github.com/istio/api/blob/1.30.3/networking/v1alpha3/virtual_service.proto): conditions inside one match are
 * ANDed; header values match exactly, by prefix, or by an RE2 regex over the whole value; a
 * header given with an empty StringMatch (`{}`) matches when the header is present; uri prefix
 * is a plain string prefix.
 */
import type { IVirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService";
import type { HeaderMatch, PathMatch, RequestMatch } from "../intent.js";

type HttpRoute = NonNullable<NonNullable<IVirtualService["spec"]>["http"]>[number];
export type IstioHttpMatch = NonNullable<HttpRoute["match"]>[number];
type IstioStringMatch = NonNullable<IstioHttpMatch["headers"]>[string];

/** The conjunction of two matches: a match, nothing at all, or something Istio cannot say. */
export type Conjunction =
  | { kind: "match"; match: RequestMatch }
  | { kind: "never" }
  | { kind: "inexpressible"; reason: string };

export function isUnconditional(match: RequestMatch | undefined): boolean {
  return !match || (match.headers.length === 0 && !match.path);
}

export function conjoin(a: RequestMatch, b: RequestMatch): Conjunction {
  const headers = new Map<string, HeaderMatch>();
  for (const header of [...a.headers, ...b.headers]) {
    const seen = headers.get(header.name);
    if (!seen) {
      headers.set(header.name, header);
      continue;
    }
    const both = conjoinHeader(seen, header);
    if (both.kind !== "match") return both;
    headers.set(header.name, both.header);
  }
  const path = conjoinPath(a.path, b.path);
  if (path === "never") return { kind: "never" };
  const match: RequestMatch = { headers: [...headers.values()] };
  if (path) match.path = path;
  return { kind: "match", match };
}

/** Folds repeated header names of one match into one condition each, as Istio's map needs. */
export function normalise(match: RequestMatch): Conjunction {
  return conjoin({ headers: [] }, match);
}

type HeaderConjunction = { kind: "match"; header: HeaderMatch } | { kind: "never" } | { kind: "inexpressible"; reason: string };

function conjoinHeader(a: HeaderMatch, b: HeaderMatch): HeaderConjunction {
  const x = a.match;
  const y = b.match;
  if (x.type === "present") return { kind: "match", header: b };
  if (y.type === "present") return { kind: "match", header: a };
  if (x.type === "exact" && y.type === "exact") return x.value === y.value ? { kind: "match", header: a } : { kind: "never" };
  if (x.type === "regex" && y.type === "regex") {
    return x.value === y.value
      ? { kind: "match", header: a }
      : { kind: "inexpressible", reason: `header ${a.name} would need two regexes at once; an Istio match holds one condition per header` };
  }
  const exact = x.type === "exact" ? x.value : (y as { value: string }).value;
  const regex = x.type === "regex" ? x.value : (y as { value: string }).value;
  const verdict = fullMatch(regex, exact);
  if (verdict === undefined) {
    return { kind: "inexpressible", reason: `header ${a.name}: cannot decide whether "${exact}" matches the regex ${regex}` };
  }
  return verdict ? { kind: "match", header: { name: a.name, match: { type: "exact", value: exact } } } : { kind: "never" };
}

/** Envoy matches header regexes against the whole value; undefined when JavaScript cannot parse the RE2 pattern. */
function fullMatch(regex: string, value: string): boolean | undefined {
  try {
    return new RegExp(`^(?:${regex})$`, "u").test(value);
  } catch {
    return undefined;
  }
}

function conjoinPath(a: PathMatch | undefined, b: PathMatch | undefined): PathMatch | undefined | "never" {
  if (!a) return b;
  if (!b) return a;
  if (a.type === "exact" && b.type === "exact") return a.value === b.value ? a : "never";
  if (a.type === "exact") return a.value.startsWith(b.value) ? a : "never";
  if (b.type === "exact") return b.value.startsWith(a.value) ? b : "never";
  if (a.value.startsWith(b.value)) return a;
  if (b.value.startsWith(a.value)) return b;
  return "never";
}

/** A normalised RequestMatch as Istio's HTTPMatchRequest; undefined when it matches everything. */
export function toIstioMatch(match: RequestMatch): IstioHttpMatch | undefined {
  if (isUnconditional(match)) return undefined;
  const istio: IstioHttpMatch = {};
  if (match.headers.length > 0) {
    const headers: Record<string, IstioStringMatch> = {};
    for (const header of match.headers) headers[header.name] = toStringMatch(header);
    istio.headers = headers;
  }
  if (match.path) istio.uri = match.path.type === "prefix" ? { prefix: match.path.value } : { exact: match.path.value };
  return istio;
}

function toStringMatch(header: HeaderMatch): IstioStringMatch {
  switch (header.match.type) {
    case "exact":
      return { exact: header.match.value };
    case "regex":
      return { regex: header.match.value };
    case "present":
      // An empty StringMatch checks presence only (virtual_service.proto, HTTPMatchRequest.headers).
      return {};
  }
}

/** A short readable label for a match, used to name VirtualService route entries. */
export function describeMatch(match: RequestMatch): string {
  const parts = match.headers.map((h) =>
    h.match.type === "present" ? `${h.name}` : h.match.type === "exact" ? `${h.name}=${h.match.value}` : `${h.name}~${h.match.value}`,
  );
  if (match.path) parts.push(match.path.type === "prefix" ? `${match.path.value}*` : match.path.value);
  return parts.join(",");
}
