/**
 * A mesh upgrade from the installed release to the next one, under steady load: how many requests
 * fail and how latency moves before, during and after it.
 */
import type { CheckSpecInput } from "../src/analysis/index.js";
import { UsageError } from "../src/core/errors.js";
import type { Step } from "../src/plan/steps.js";
import { defineScenario, type ScenarioContext } from "../src/engine/scenario.js";
import type { InstallOptions, MeshName } from "../src/mesh/driver.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { errorRateCheck, latencyCheck } from "./checks.js";
import { plannedMeasure } from "./sizing.js";
import { UPGRADE_SLO } from "./slo.js";

/**
 * The release each mesh is upgraded to when no other is named: the newest release after the pinned
 * one (Istio 1.30.4 after 1.30.3, per istio.io's 1.30.x release notes; Linkerd's newest edge release
 * tagged after version-2.20 in linkerd/linkerd2). Override per run with MESHPROOF_ISTIO_UPGRADE_TO
 * or MESHPROOF_LINKERD_UPGRADE_TO, e.g. to rehearse the exact upgrade planned for production.
 */
export const NEXT_RELEASE: Partial<Record<MeshName, string>> = { istio: "1.30.4", linkerd: "edge-26.8.3" };

/** Used only when a scenario is planned outside a run (tests): a run passes its own install options. */
const FALLBACK_GATEWAY_API_VERSION = "v1.5.1";

export function upgradeTargetEnvVar(mesh: MeshName): string {
  return `MESHPROOF_${mesh.toUpperCase()}_UPGRADE_TO`;
}

/** From what the run installed to the next release. */
export function upgradePath(ctx: ScenarioContext, env: NodeJS.ProcessEnv = process.env): { from: InstallOptions; to: InstallOptions } {
  const from: InstallOptions = ctx.install ?? { version: ctx.driver.defaultVersion, method: "cli", gatewayApiVersion: FALLBACK_GATEWAY_API_VERSION };
  const variable = upgradeTargetEnvVar(ctx.mesh);
  const version = env[variable] ?? NEXT_RELEASE[ctx.mesh];
  if (!version) throw new UsageError(`there is no release to upgrade ${ctx.mesh} to`, `set ${variable} to the release to upgrade to`);
  if (version === from.version) {
    throw new UsageError(`the upgrade would go from ${ctx.mesh} ${from.version} to the same release`, `set ${variable} to a newer release, or install an older one first`);
  }
  const { revision: _installed, ...rest } = from;
  // No revision of its own: a driver that upgrades by revision (Istio) names the new one.
  const to: InstallOptions = { ...rest, version };
  return { from, to };
}

function steadyChecks(prefix: string, when: string, withP99: boolean): CheckSpecInput[] {
  return [
    errorRateCheck(`${prefix}-error-rate`, `${when}, at most ${UPGRADE_SLO.maxErrorRate * 100}% of requests fail`, UPGRADE_SLO.maxErrorRate),
    // p99 needs thousands of requests: only the long windows before and after judge it; the
    // short windows during the upgrade judge p90.
    withP99
      ? latencyCheck(`${prefix}-p99`, `${when}, p99 end-to-end latency is at most ${UPGRADE_SLO.e2eP99Ms} ms`, "e2e", 0.99, UPGRADE_SLO.e2eP99Ms)
      : latencyCheck(`${prefix}-p90`, `${when}, p90 end-to-end latency is at most ${UPGRADE_SLO.e2eP99Ms} ms`, "e2e", 0.9, UPGRADE_SLO.e2eP99Ms),
  ];
}

/**
 * The driver's upgrade steps in runs that must stay together: a step that reads the previous
 * step's output (`linkerd upgrade | kubectl apply -f -`) is never separated from it.
 */
export function upgradeStages(upgradeSteps: readonly Step[]): Step[][] {
  const stages: Step[][] = [];
  for (const step of upgradeSteps) {
    const last = stages[stages.length - 1];
    if (last && step.kind === "command" && step.stdinFrom === "previous") last.push(step);
    else stages.push([step]);
  }
  return stages;
}

export const upgrade = defineScenario({
  name: "upgrade",
  description:
    `${SCENARIO_SUMMARIES.upgrade} ` +
    "It goes from the release the run installed to the next one (Istio by a canary control-plane revision, Linkerd by its " +
    "documented upgrade). Steps run " +
    "in order, so load cannot span the whole upgrade in one measurement: the scenario measures before, then after each " +
    "stage of the driver's upgrade (control plane, namespace relabel, workload restarts, clean-up) measures a short " +
    "window while restarts settle, then measures after. A failure in a window is a request the upgrade cost; requests " +
    "in flight while a stage itself runs are not sent, so the windows bound, rather than count, the disruption.",
  claims: [
    `Before the upgrade the error rate is at most ${UPGRADE_SLO.maxErrorRate * 100}% and p99 latency at most ${UPGRADE_SLO.e2eP99Ms} ms.`,
    `After each stage of the upgrade the error rate stays at most ${UPGRADE_SLO.maxErrorRate * 100}% and p90 latency at most ${UPGRADE_SLO.e2eP99Ms} ms.`,
    `After the upgrade the error rate is at most ${UPGRADE_SLO.maxErrorRate * 100}% and p99 latency at most ${UPGRADE_SLO.e2eP99Ms} ms.`,
  ],
  requires: [],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "upgrade", executor: "constant-arrival-rate", rate: 20, durationSeconds: 60, mode: "stream", maxTokens: 16 },
  build(ctx, steps) {
    const { from, to } = upgradePath(ctx);
    const upgradeSteps = ctx.driver.upgrade(from, to);
    // A driver that cannot upgrade this install says why; every claim is then not supported,
    // and no load is sent, since there would be no upgrade to measure.
    const gaps = upgradeSteps.filter((s) => s.kind === "unsupported");
    if (gaps.length > 0) {
      const specs = [...steadyChecks("before", "before the upgrade", true), ...steadyChecks("during-1", "after upgrade stage 1", false), ...steadyChecks("after", "after the upgrade", true)];
      const checks = specs.map((c) => c.id);
      const claims = Object.fromEntries(specs.map((c) => [c.id, c.claim]));
      return { assess: gaps.map((gap) => ({ ...gap, checks, claims })) };
    }
    const assess: Step[] = [
      plannedMeasure(ctx, steps, "before-upgrade", `measure steady load on ${ctx.mesh} ${from.version}`, steadyChecks("before", "before the upgrade", true), { requires: [] }),
    ];
    upgradeStages(upgradeSteps).forEach((stage, i) => {
      const last = stage[stage.length - 1];
      assess.push(
        ...stage,
        plannedMeasure(ctx, steps, `during-upgrade-${i + 1}`, `measure steady load after "${last?.name ?? "an upgrade stage"}"`, steadyChecks(`during-${i + 1}`, `after upgrade stage ${i + 1}`, false), {
          requires: [],
        }),
      );
    });
    assess.push(
      plannedMeasure(ctx, steps, "after-upgrade", `measure steady load on ${ctx.mesh} ${to.version}`, steadyChecks("after", "after the upgrade", true), { requires: [] }),
    );
    return { assess };
  },
});
