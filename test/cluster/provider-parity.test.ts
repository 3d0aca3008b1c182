/**
 * kind, gke, current and host share every step but creating (and removing) the cluster: the
 * dry-run plans of one scenario on the four providers, with the cluster's own steps left out,
 * have the same steps in the same order and apply the same objects. What may differ is named
 * here: image references (host imports images built here, kind loads Docker builds), the
 * resource requests (host's compact profile for one small node), and the mesh's own install,
 * which on the host cluster is the variant built here (Istio's upstream-envoy, Linkerd built
 * from source) with its own image imports and identity; the stack, the scenarios and the
 * teardown are the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseRunOptions } from "../../src/cli/options.js";
import { planRun } from "../../src/cli/run.js";
import type { Step } from "../../src/plan/steps.js";
import { walkSteps } from "../../src/plan/steps.js";

const runDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-parity-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

const PROVIDERS = { kind: {}, gke: { gkeProject: "p", gkeLocation: "l" }, current: { context: "someone" }, host: {} } as const;

/** A step as the parity cares about it: what it is, and for applies and deletes which objects. */
function shape(step: Step): string {
  const objects = step.kind === "apply" || step.kind === "delete" ? ` [${step.manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`).join(", ")}]` : "";
  return `${step.kind}:${step.id}${objects}`;
}

async function skeleton(cluster: keyof typeof PROVIDERS, scenario: string, mesh: string): Promise<{ steps: string[]; cluster: string[] }> {
  const opts = parseRunOptions({ dryRun: true, cluster, mesh, ...PROVIDERS[cluster] });
  const { plan } = await planRun("scenario", scenario, opts, "r1", runDir);
  // Of a target's setup, the stack's steps: its deploy and the rollouts it waits for.
  const stackSetup = (setup: readonly Step[]) => setup.filter((s) => s.id === "deploy-stack" || s.id.startsWith("wait-"));
  const steps = plan.targets.flatMap((t) => [...walkSteps([...stackSetup(t.setup), ...t.scenarios.flatMap((s) => s.phases.flatMap((p) => p.steps)), ...t.teardown])]).map(shape);
  return { steps, cluster: [...plan.cluster.setup, ...plan.cluster.teardown].map((s) => s.id) };
}

describe("kind, gke, current and host plans differ only in the cluster's own steps and the mesh variant's install", () => {
  for (const [scenario, mesh] of [["benchmark", "none"], ["canary", "linkerd"]] as const) {
    it(`${scenario} on ${mesh}`, async () => {
      const plans = Object.fromEntries(await Promise.all(Object.keys(PROVIDERS).map(async (c) => [c, await skeleton(c as keyof typeof PROVIDERS, scenario, mesh)] as const)));
      expect(plans.kind!.steps.length).toBeGreaterThan(10);
      expect(plans.kind!.steps.some((s) => s.startsWith("apply:deploy-stack ["))).toBe(true);
      for (const cluster of ["gke", "current", "host"]) {
        expect(plans[cluster]!.steps, `${cluster} vs kind`).toEqual(plans.kind!.steps);
      }
      // The cluster's own steps are where they differ: each provider creates (or reuses) its own.
      expect(new Set(Object.values(plans).map((p) => JSON.stringify(p.cluster))).size).toBe(4);
    }, 120_000);
  }
});
