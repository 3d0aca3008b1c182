import { describe, expect, it } from "vitest";
import { expandMeshes } from "../../src/engine/run-plan.js";
import { benchmark } from "../../scenarios/benchmark.js";
import { canary } from "../../scenarios/canary.js";

describe("the meshes a run covers", () => {
  it("adds the baseline, first, wherever a scenario compares against it, whichever mesh is named", () => {
    expect(expandMeshes("istio", [canary, benchmark], "host")).toEqual(["none", "istio"]);
    expect(expandMeshes("linkerd", [benchmark], "kind")).toEqual(["none", "linkerd"]);
    expect(expandMeshes("both", [benchmark], "kind")).toEqual(["none", "istio", "linkerd"]);
    expect(expandMeshes("none", [benchmark], "kind")).toEqual(["none"]);
  });

  it("leaves it out when no scenario compares against it", () => {
    expect(expandMeshes("istio", [canary], "host")).toEqual(["istio"]);
    expect(expandMeshes("both", [canary], "kind")).toEqual(["istio", "linkerd"]);
  });
});
