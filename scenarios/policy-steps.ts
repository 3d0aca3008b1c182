/**
 * Applying a reference policy when a mesh can express only part of it. A driver reports a gap as
 * partial when it rendered the rest of the intent (Linkerd has no retry budget on HTTPRoute;
 * Istio none at all). Such a gap is reported in the plan, but it must not withdraw claims that
 * do not rest on the missing part: retries on 503 are judged whether or not a budget exists. A
 * whole-intent refusal still withdraws every check that requires the intent, as the step
 * factory links it. Where a claim does rest on one part (a delay, an exact limit), the scenario
 * names it with `withdrawUnlessExpressed`.
 */
import type { ApplyStep, Step, UnsupportedStep, WaitStep } from "../src/plan/steps.js";
import type { ScenarioContext, StepFactory } from "../src/engine/scenario.js";
import { TIMEOUTS } from "../src/core/timeouts.js";
import { parseIntents, type Intent, type IntentKind } from "../src/mesh/intent.js";
import type { UnsupportedIntent } from "../src/mesh/driver.js";

function gapStep(id: string, mesh: string, gap: UnsupportedIntent, checks: string[]): UnsupportedStep {
  return {
    kind: "unsupported",
    id,
    name: `${gap.intent} is ${gap.partial ? "only partly" : "not"} supported by ${mesh}`,
    timeoutMs: 0,
    intent: gap.intent,
    reason: gap.reason,
    checks,
  };
}

/** Step ids must be unique within a plan; a driver may report several gaps of one intent. */
function uniqueIds(steps: Step[]): Step[] {
  const seen = new Map<string, number>();
  return steps.map((step) => {
    const n = (seen.get(step.id) ?? 0) + 1;
    seen.set(step.id, n);
    return n === 1 ? step : { ...step, id: `${step.id}-${n}` };
  });
}

/** Claims that rest on one part of a policy (e.g. the delay of a fault): `checks` need `part`. */
export interface RestsOn {
  part: Intent[];
  checks: string[];
}

/**
 * Apply `intents` as one policy. Whole-intent gaps withdraw the checks that require the intent;
 * partial gaps are reported without withdrawing anything, except the checks `restsOn` names for
 * a part this mesh cannot express.
 */
export function applyPolicy(ctx: ScenarioContext, steps: StepFactory, id: string, name: string, intents: Intent[], restsOn: RestsOn[] = []): Step[] {
  const parsed = parseIntents(intents);
  const rendered = ctx.driver.render(parsed, ctx.target, ctx.routing);
  const partial = rendered.unsupported.filter((g) => g.partial);
  const result: Step[] = [];
  if (partial.length === 0) {
    result.push(...steps.policy(id, name, parsed));
  } else {
    if (rendered.manifests.length > 0) result.push({ kind: "apply", id, name, timeoutMs: TIMEOUTS.apply, manifests: rendered.manifests });
    // Whole-intent gaps go through the factory, which links them to the checks requiring them;
    // the objects those intents render (if any) are already in the apply step above.
    const refused = new Set<IntentKind>(rendered.unsupported.filter((g) => !g.partial).map((g) => g.intent));
    if (refused.size > 0) {
      const linked = steps.policy(`${id}-refused`, name, parsed.filter((i) => refused.has(i.kind)));
      result.push(...linked.filter((s) => s.kind === "unsupported"));
    }
    partial.forEach((gap) => result.push(gapStep(`${id}-partly-${gap.intent.toLowerCase()}`, ctx.mesh, gap, [])));
  }
  restsOn.forEach((dependency, i) => {
    const gaps = ctx.driver.render(parseIntents(dependency.part), ctx.target, ctx.routing).unsupported;
    if (gaps.length === 0) return;
    // Attach the claims to the gap already reported for this part, or report the part's own.
    const reported = result.find((s): s is UnsupportedStep => s.kind === "unsupported" && gaps.some((g) => g.reason === s.reason));
    if (reported) reported.checks.push(...dependency.checks.filter((c) => !reported.checks.includes(c)));
    else result.push(...withdrawUnlessExpressed(ctx, `${id}-part-${i + 1}`, dependency.part, dependency.checks));
  });
  return uniqueIds(withRollouts(result));
}

/**
 * A policy that brings its own workload (Linkerd's fault backend, a Deployment answering with the
 * abort status) is in force only once that workload is ready: until then Linkerd's balancer
 * sends nothing to a backend without ready endpoints, so probes see no aborts at all. Seen on the
 * host cluster with its CPU requests full: the backend's pod waited 3.5 min for the scheduler and
 * the 240 s convergence ran out on 0% aborts, a failure of the mesh it was not. Each such
 * Deployment is waited for right after the apply that creates it.
 */
function withRollouts(steps: Step[]): Step[] {
  return steps.flatMap((step): Step[] => (step.kind === "apply" ? [step, ...rolloutWaits(step)] : [step]));
}

function rolloutWaits(apply: ApplyStep): WaitStep[] {
  return apply.manifests.flatMap((m): WaitStep[] => {
    const namespace = m.metadata.namespace;
    if (m.kind !== "Deployment" || !namespace) return [];
    return [
      {
        kind: "wait",
        id: `${apply.id}-${m.metadata.name}-ready`,
        name: `wait until ${m.metadata.name}, which the policy routes to, is ready`,
        timeoutMs: TIMEOUTS.rollout,
        condition: { type: "rollout", namespace, kind: "Deployment", name: m.metadata.name },
        consecutive: 1,
        intervalMs: 2_000,
      },
    ];
  });
}

/**
 * The claims in `checks` rest on `part` (e.g. the delay of a fault policy): if this mesh cannot
 * express all of it, they are withdrawn as unsupported, with the mesh's reason. Place the step
 * before the steps that judge them.
 */
export function withdrawUnlessExpressed(ctx: ScenarioContext, id: string, part: Intent[], checks: string[]): UnsupportedStep[] {
  const gaps = ctx.driver.render(parseIntents(part), ctx.target, ctx.routing).unsupported;
  const [first] = gaps;
  if (!first) return [];
  const reason = gaps.map((g) => g.reason).join("; ");
  return [gapStep(id, ctx.mesh, { ...first, reason }, checks)];
}
