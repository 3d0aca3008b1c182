import { describe, expect, it } from "vitest";
import { GATEWAY_DURATION_PATTERN, gatewayDuration } from "../../../src/mesh/gamma/duration.js";

describe("gatewayDuration", () => {
  it.each([
    [500, "500ms"],
    [2_000, "2s"],
    [5_000, "5s"],
    [60_000, "1m"],
    [90_500, "1m30s500ms"],
    [3_600_000, "1h"],
    [7_261_001, "2h1m1s1ms"],
  ])("%d ms is %s", (ms, text) => {
    expect(gatewayDuration(ms)).toBe(text);
    expect(text).toMatch(GATEWAY_DURATION_PATTERN);
  });

  it("rejects what the CRD would reject", () => {
    expect(() => gatewayDuration(0)).toThrow(/positive whole number/);
    expect(() => gatewayDuration(1.5)).toThrow(/positive whole number/);
    expect(() => gatewayDuration(100_000 * 3_600_000)).toThrow(/99999 hours/);
  });
});
