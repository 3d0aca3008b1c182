import { describe, expect, it } from "vitest";
import { compareSpecificity, implies, matchKey, mergeMatches, toHttpRouteMatch } from "../../../src/mesh/gamma/matches.js";
import type { RequestMatch } from "../../../src/mesh/intent.js";

const prefix = (value: string): RequestMatch => ({ headers: [], path: { type: "prefix", value } });
const exact = (value: string): RequestMatch => ({ headers: [], path: { type: "exact", value } });
const header = (name: string, value?: string): RequestMatch => ({
  headers: [{ name, match: value === undefined ? { type: "present" } : { type: "exact", value } }],
});

describe("mergeMatches", () => {
  it("keeps the narrower of nested path prefixes, by whole segments", () => {
    expect(mergeMatches(prefix("/v1"), prefix("/v1/chat"))).toEqual(prefix("/v1/chat"));
    expect(mergeMatches(prefix("/v1"), prefix("/v10"))).toBeNull();
    expect(mergeMatches(prefix("/v1"), exact("/v1/models"))).toEqual(exact("/v1/models"));
    expect(mergeMatches(prefix("/v1"), prefix("/health"))).toBeNull();
  });

  it("unions headers, and a present-only condition gives way to a value", () => {
    expect(mergeMatches(header("x-canary", "true"), header("x-chaos", "true"))?.headers.map((h) => h.name)).toEqual(["x-canary", "x-chaos"]);
    expect(mergeMatches(header("x-team"), header("x-team", "a"))).toEqual(header("x-team", "a"));
    expect(mergeMatches(header("x-team", "a"), header("x-team", "b"))).toBeNull();
  });

  it("treats an empty match as every request", () => {
    expect(mergeMatches(undefined, { headers: [] })).toBeUndefined();
    expect(mergeMatches({ headers: [] }, prefix("/v1"))).toEqual(prefix("/v1"));
  });
});

describe("implies", () => {
  it("holds when the first match selects a subset of the second", () => {
    expect(implies(prefix("/v1/chat"), prefix("/v1"))).toBe(true);
    expect(implies(prefix("/v1"), prefix("/v1/chat"))).toBe(false);
    expect(implies({ headers: header("x-canary", "true").headers, path: { type: "prefix", value: "/v1" } }, header("x-canary"))).toBe(true);
    expect(implies(undefined, prefix("/v1"))).toBe(false);
    expect(implies(prefix("/v1"), undefined)).toBe(true);
  });
});

describe("Gateway API precedence", () => {
  it("ranks exact paths over prefixes, longer prefixes first, then more headers", () => {
    expect(compareSpecificity(exact("/v1"), prefix("/v1/chat/completions"))).toBeGreaterThan(0);
    expect(compareSpecificity(prefix("/health"), prefix("/v1"))).toBeGreaterThan(0);
    expect(compareSpecificity(header("x-canary", "true"), undefined)).toBeGreaterThan(0);
  });

  it("keys do not depend on header order", () => {
    const a: RequestMatch = { headers: [...header("a", "1").headers, ...header("b", "2").headers] };
    const b: RequestMatch = { headers: [...header("b", "2").headers, ...header("a", "1").headers] };
    expect(matchKey(a)).toBe(matchKey(b));
  });
});

describe("toHttpRouteMatch", () => {
  it("renders present as a match-anything regular expression and paths with Gateway API type names", () => {
    expect(toHttpRouteMatch({ headers: header("x-team").headers, path: { type: "prefix", value: "/v1" } })).toEqual({
      path: { type: "PathPrefix", value: "/v1" },
      headers: [{ name: "x-team", type: "RegularExpression", value: ".*" }],
    });
    expect(toHttpRouteMatch(exact("/health/ready"))).toEqual({ path: { type: "Exact", value: "/health/ready" } });
    expect(toHttpRouteMatch(undefined)).toBeUndefined();
  });
});
