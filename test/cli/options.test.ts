import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { parseDuration, parseRunOptions, PINS } from "../../src/cli/options.js";

describe("parseDuration", () => {
  it.each([
    ["20s", 20],
    ["2m", 120],
    ["1m30s", 90],
    ["1500ms", 1.5],
    ["45", 45],
  ])("%s is %d seconds", (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(["", "abc", "10x", "-5s", "0s"])("rejects %j", (text) => expect(() => parseDuration(text)).toThrow());
});

describe("parseRunOptions", () => {
  it("defaults to both meshes on kind with the pinned versions", () => {
    const o = parseRunOptions({});
    expect(o).toMatchObject({ mesh: "both", cluster: "kind", dryRun: false, keep: false, istioVersion: PINS.istio, linkerdVersion: PINS.linkerd });
  });

  it("keeps the options in the order of --help, as plan.json and results.json record them", () => {
    const keys = Object.keys(parseRunOptions({}));
    expect(keys.slice(0, 2)).toEqual(["mesh", "cluster"]);
    // Each mesh's version (from the registry) right before the Gateway API's.
    expect(keys.slice(keys.indexOf("loadEngine"), keys.indexOf("gatewayApiVersion") + 1)).toEqual(["loadEngine", "istioVersion", "linkerdVersion", "gatewayApiVersion"]);
  });

  it("lists every bad flag in one usage error", () => {
    let err: unknown;
    try {
      parseRunOptions({ mesh: "consul", rate: "-3", duration: "soon" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).toMatch(/--mesh/);
    expect(message).toMatch(/--rate/);
    expect(message).toMatch(/--duration/);
    expect((err as UsageError).exitCode).toBe(2);
  });

  it("says each problem in a sentence, naming the flag once", () => {
    const message = (raw: Record<string, unknown>) => {
      try {
        parseRunOptions(raw);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("expected a usage error");
    };
    expect(message({ seed: "x" })).toBe("--seed: must be a whole number, 0 or more");
    expect(message({ rate: "abc" })).toBe("--rate: must be a number of requests per second");
    expect(message({ rate: "-3" })).toBe("--rate: must be a positive number of requests per second");
    expect(message({ seed: "x", rate: "-3" })).not.toMatch(/NaN|--rate: --rate|Invalid input/);
  });

  it("refuses --cluster current without an explicit context", () => {
    expect(() => parseRunOptions({ cluster: "current" })).toThrow(/--context/);
    expect(parseRunOptions({ cluster: "current", context: "prod-like" }).context).toBe("prod-like");
  });
});
