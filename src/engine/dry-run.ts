/**
 * --dry-run: write the plan instead of running it. plan.json lists every step in order (with
 * each step's undo and each gate's failure branch); every manifest goes to
 * manifests/<mesh>/<phase-or-scenario>--<step>/NN-<kind>-<name>.yaml, referenced from plan.json.
 * Needs no cluster, no Docker and no mesh CLI.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";
import type { KubeObject, Step } from "../plan/steps.js";
import type { RunPlanWithCluster } from "./run-plan.js";

export interface ManifestRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  file: string;
}

/** A step as written to plan.json: manifests replaced by references to their YAML files. */
type PlannedStep = object;

export interface DryRunSummary {
  planFile: string;
  manifestFiles: number;
  steps: number;
  unsupported: { mesh: string; scenario: string; intent: string; reason: string }[];
}

export async function writeDryRun(plan: RunPlanWithCluster, runDir: string): Promise<DryRunSummary> {
  const files = new Map<string, string>();
  let steps = 0;
  const unsupported: DryRunSummary["unsupported"] = [];

  const place = (mesh: string, group: string, list: readonly Step[]): PlannedStep[] =>
    list.map((step) => {
      steps += 1;
      const folder = path.posix.join("manifests", mesh, `${group}--${step.id}`);
      switch (step.kind) {
        case "apply":
        case "delete": {
          const { manifests, ...rest } = step;
          return { ...rest, manifests: manifests.map((m, i) => refFor(m, folder, i, files)) };
        }
        case "gate":
          return { ...step, onFail: place(mesh, `${group}--${step.id}--on-fail`, step.onFail) };
        case "command":
          return step.undo ? { ...step, undo: place(mesh, `${group}--${step.id}--undo`, step.undo) } : step;
        case "unsupported":
          unsupported.push({ mesh, scenario: group, intent: step.intent, reason: step.reason });
          return step;
        default:
          return step;
      }
    });

  const out = {
    ...plan,
    dryRun: true,
    cluster: { ...plan.cluster, setup: place("cluster", "setup", plan.cluster.setup), teardown: place("cluster", "teardown", plan.cluster.teardown) },
    targets: plan.targets.map((t) => ({
      ...t,
      setup: place(t.mesh, "setup", t.setup),
      scenarios: t.scenarios.map((s) => ({
        ...s,
        phases: s.phases.map((p) => ({ ...p, steps: place(t.mesh, s.scenario, p.steps) })),
      })),
      ...(t.mutants
        ? {
            mutants: t.mutants.map((m) => ({
              ...m,
              plan: { ...m.plan, phases: m.plan.phases.map((p) => ({ ...p, steps: place(t.mesh, `mutant-${m.mutant.name}`, p.steps) })) },
            })),
          }
        : {}),
      teardown: place(t.mesh, "teardown", t.teardown),
    })),
  };

  const dirs = new Set([...files.keys()].map((f) => path.dirname(path.join(runDir, f))));
  await Promise.all([...dirs].map((d) => mkdir(d, { recursive: true })));
  await Promise.all([...files].map(([file, body]) => writeFile(path.join(runDir, file), body)));
  const planFile = path.join(runDir, "plan.json");
  await writeFile(planFile, `${JSON.stringify(out, null, 2)}\n`);
  return { planFile, manifestFiles: files.size, steps, unsupported };
}

function refFor(manifest: KubeObject, folder: string, index: number, files: Map<string, string>): ManifestRef {
  const name = manifest.metadata.name;
  const file = path.posix.join(folder, `${String(index + 1).padStart(2, "0")}-${manifest.kind.toLowerCase()}-${name}.yaml`);
  // No anchors and aliases: a manifest reads as kubectl shows it, and no dry-run spends time
  // searching every manifest for repeated objects to alias.
  files.set(file, stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false }));
  return {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    name,
    ...(manifest.metadata.namespace ? { namespace: manifest.metadata.namespace } : {}),
    file,
  };
}
