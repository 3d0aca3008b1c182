import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import type { Step } from "../../src/plan/steps.js";
import { TIMEOUTS } from "../../src/core/timeouts.js";
import { NEXT_RELEASE, upgrade, upgradePath, upgradeStages, upgradeTargetEnvVar } from "../../scenarios/upgrade.js";
import { allSteps, contextFor, fakeDriver, measureSteps, plan } from "./helpers.js";
import { createIstioDriver } from "../../src/mesh/istio/index.js";
import { createLinkerdDriver } from "../../src/mesh/linkerd/index.js";
import { BUILT_FROM_SOURCE_UPGRADE_GAP } from "../../src/mesh/linkerd/built-from-source.js";
import { UPSTREAM_ENVOY_UPGRADE_GAP } from "../../src/mesh/istio/upstream-envoy-variant.js";

const command = (id: string, piped = false): Step => ({
  kind: "command",
  id,
  name: `run ${id} now`,
  timeoutMs: TIMEOUTS.command,
  argv: [id],
  ...(piped ? { stdinFrom: "previous" as const } : {}),
});

describe("upgrade stages", () => {
  it("keeps a step that reads the previous step's output with it", () => {
    const stages = upgradeStages([command("a"), command("b", true), command("c"), command("d"), command("e", true), command("f", true)]);
    expect(stages.map((s) => s.map((x) => x.id))).toEqual([["a", "b"], ["c"], ["d", "e", "f"]]);
  });
});

describe("upgrade path", () => {
  const install = { version: "1.30.3", method: "helm" as const, gatewayApiVersion: "v1.5.1", revision: "1-30-3" };

  it("starts from what the run installed and keeps its method, leaving the new revision to the driver", () => {
    const { from, to } = upgradePath({ ...contextFor("istio"), install }, {});
    expect(from).toEqual(install);
    expect(to).toEqual({ version: NEXT_RELEASE.istio, method: "helm", gatewayApiVersion: "v1.5.1" });
  });

  it("takes the target release from the environment when named", () => {
    const { to } = upgradePath({ ...contextFor("linkerd", fakeDriver("linkerd")), install: { ...install, version: "version-2.20" } }, { [upgradeTargetEnvVar("linkerd")]: "edge-26.9.1" });
    expect(to.version).toBe("edge-26.9.1");
    expect(upgradeTargetEnvVar("linkerd")).toBe("MESHPROOF_LINKERD_UPGRADE_TO");
  });

  it("refuses an upgrade to the release already installed, saying what to set", () => {
    const ctx = { ...contextFor("istio"), install: { ...install, version: NEXT_RELEASE.istio! } };
    expect(() => upgradePath(ctx, {})).toThrow(UsageError);
    try {
      upgradePath(ctx, {});
    } catch (err) {
      expect((err as UsageError).hint).toContain("MESHPROOF_ISTIO_UPGRADE_TO");
    }
  });
});

describe.each(["istio", "linkerd"] as const)("upgrade on %s", (mesh) => {
  const ctx = mesh === "istio" ? contextFor("istio") : contextFor("linkerd", fakeDriver("linkerd"));
  const p = plan(upgrade, ctx);
  const steps = allSteps(p);

  it("measures before, after every stage of the driver's upgrade, and after", () => {
    const measures = measureSteps(p).map((s) => s.id);
    expect(measures[0]).toBe("before-upgrade");
    expect(measures[measures.length - 1]).toBe("after-upgrade");
    const upgradeStepIds = steps.filter((s) => s.kind !== "measure").map((s) => s.id);
    expect(upgradeStepIds.length).toBeGreaterThan(0);
    // Every stage is followed by a window; no window splits a piped pair.
    steps.forEach((s, i) => {
      if (s.kind === "command" && s.stdinFrom === "previous") expect(steps[i - 1]?.kind).not.toBe("measure");
    });
    expect(steps[steps.length - 2]?.kind).toBe("measure");
    expect(measures.filter((id) => id.startsWith("during-upgrade-")).length).toBeGreaterThan(0);
  });

  it("holds the windows during the upgrade to error rate and p90, the long ones to p99", () => {
    for (const s of measureSteps(p)) {
      const quantiles = s.checks.flatMap((c) => (c.type === "latency" ? [c.quantile] : []));
      expect(quantiles).toEqual(s.id.startsWith("during-") ? [0.9] : [0.99]);
      expect(s.checks.some((c) => c.type === "proportion" && c.numerator.status === "error")).toBe(true);
    }
  });
});

describe("upgrade on the host cluster's upstream-envoy Istio", () => {
  const driver = createIstioDriver({ variant: "upstream-envoy", enrolledNamespaces: ["meshproof-istio"] });
  const p = plan(upgrade, contextFor("istio", driver));
  const steps = allSteps(p);

  it("is not supported, saying there is no second Istio build to move to, and sends no load", () => {
    expect(measureSteps(p)).toEqual([]);
    const gap = steps.find((s) => s.kind === "unsupported");
    expect(gap?.kind === "unsupported" && gap.intent).toBe("upgrade");
    expect(gap?.kind === "unsupported" && gap.reason).toBe(UPSTREAM_ENVOY_UPGRADE_GAP);
    expect(gap?.kind === "unsupported" && gap.checks).toEqual(["before-error-rate", "before-p99", "during-1-error-rate", "during-1-p90", "after-error-rate", "after-p99"]);
    expect(UPSTREAM_ENVOY_UPGRADE_GAP).toContain("no second version");
  });
});

describe("upgrade on the host cluster's Linkerd built from source", () => {
  const driver = createLinkerdDriver({ fromBinaries: {}, dataPlaneNamespaces: ["meshproof-linkerd"] });
  const p = plan(upgrade, contextFor("linkerd", driver));

  it("is not supported, saying there is no second Linkerd build to move to, and sends no load", () => {
    expect(measureSteps(p)).toEqual([]);
    const gap = allSteps(p).find((s) => s.kind === "unsupported");
    expect(gap?.kind === "unsupported" && gap.reason).toBe(BUILT_FROM_SOURCE_UPGRADE_GAP);
    expect(BUILT_FROM_SOURCE_UPGRADE_GAP).toContain("no second version");
  });

  it("mutant: the official Linkerd upgrades with linkerd upgrade under load", () => {
    const official = plan(upgrade, contextFor("linkerd", createLinkerdDriver({ dataPlaneNamespaces: ["meshproof-linkerd"] })));
    expect(measureSteps(official).length).toBeGreaterThan(0);
    expect(allSteps(official).some((s) => s.kind === "unsupported")).toBe(false);
  });
});
