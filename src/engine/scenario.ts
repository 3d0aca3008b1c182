/**
 * A scenario is data (name, claims, required capabilities, default load) plus one function that
 * builds its named steps for one mesh. Building is pure: the same definition yields the plan
 * that --dry-run writes and the plan the executor walks.
 */
import type { CheckSpec, CheckSpecInput } from "../analysis/verdict.js";
import { CheckSpec as CheckSpecSchema } from "../analysis/verdict.js";
import type { ClusterName } from "../cluster/provider.js";
import { LoadProfile, type LoadProfileInput } from "../load/profile.js";
import type { InstallOptions, MeshDriver, MeshName, RoutingApi } from "../mesh/driver.js";
import type { Intent, IntentKind, Target } from "../mesh/intent.js";
import { parseIntents } from "../mesh/intent.js";
import { walkSteps, type ApplyStep, type ConvergeStep, type GateStep, type MeasureStep, type Phase, type ScenarioPlan, type Step, type UnsupportedStep } from "../plan/steps.js";
import { TIMEOUTS } from "../core/timeouts.js";

export interface ScenarioOptions {
  /** Overrides the scenario's default request rate (requests per second). */
  rate?: number;
  /** Overrides the scenario's default measurement duration per step. */
  durationSeconds?: number;
  seed: number;
}

export interface ScenarioContext {
  mesh: MeshName;
  driver: MeshDriver;
  routing: RoutingApi;
  cluster: ClusterName;
  target: Target;
  options: ScenarioOptions;
  /** How the run installed this mesh; the upgrade scenario starts from it. Absent when planning without a run. */
  install?: InstallOptions;
  /** The identity a meshed client running as `namespace/serviceAccount` presents (the registry's form); undefined without a mesh. */
  workloadIdentity(namespace: string, serviceAccount: string): string | undefined;
}

export interface ScenarioPhases {
  setup?: Step[];
  assess: Step[];
  teardown?: Step[];
}

export interface ScenarioDefinition {
  name: string;
  description: string;
  /** What the mesh promises, in words; each maps to one or more checks. */
  claims: string[];
  /** Intent kinds the scenario applies. */
  requires: IntentKind[];
  /**
   * Whether the no-mesh baseline joins it (where a comparison against no mesh makes sense). It
   * runs on every mesh of the registry; what a mesh cannot express its capabilities make
   * `unsupported`, from the intents in `requires`.
   */
  baseline: boolean;
  /** Clusters it can run on; `local` has no mesh and no Kubernetes. */
  clusters: ClusterName[];
  defaultLoad: LoadProfileInput;
  build(ctx: ScenarioContext, steps: StepFactory): ScenarioPhases;
}

/** Identity function that checks a scenario's shape at compile time. */
export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  return definition;
}

/**
 * Builds the typed steps a scenario is made of, bound to one mesh and target. It remembers
 * which intents the mesh could not express so the checks that depend on them are marked
 * unsupported rather than failed.
 */
export class StepFactory {
  private readonly unsupported = new Map<IntentKind, UnsupportedStep>();

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly definition: ScenarioDefinition,
  ) {}

  /** The scenario's load profile with the user's --rate/--duration and any overrides. */
  load(overrides: Partial<LoadProfileInput> = {}): LoadProfile {
    const base = { ...this.definition.defaultLoad, ...overrides };
    const { rate, durationSeconds } = this.ctx.options;
    return LoadProfile.parse({
      ...base,
      ...(rate !== undefined && overrides.rate === undefined ? { rate } : {}),
      ...(durationSeconds !== undefined && overrides.durationSeconds === undefined ? { durationSeconds } : {}),
    });
  }

  /**
   * Render intents for this mesh: one apply step with the manifests, plus an `unsupported`
   * step per intent the mesh cannot express (with the mesh's reason).
   */
  policy(id: string, name: string, intents: Intent[]): Step[] {
    const parsed = parseIntents(intents);
    const rendered = this.ctx.driver.render(parsed, this.ctx.target, this.ctx.routing);
    const steps: Step[] = [];
    if (rendered.manifests.length > 0) {
      const apply: ApplyStep = { kind: "apply", id, name, timeoutMs: TIMEOUTS.apply, manifests: rendered.manifests };
      steps.push(apply);
    }
    for (const [i, gap] of rendered.unsupported.entries()) {
      // A driver may report several gaps for one intent (a retry's budget and its conditions).
      const sameKind = rendered.unsupported.filter((g) => g.intent === gap.intent).length > 1;
      const step: UnsupportedStep = {
        kind: "unsupported",
        id: `${id}-unsupported-${gap.intent.toLowerCase()}${sameKind ? `-${i + 1}` : ""}`,
        name: `${gap.intent} is not supported by ${this.ctx.mesh}`,
        timeoutMs: 0,
        intent: gap.intent,
        reason: gap.reason,
        checks: [],
      };
      if (!this.unsupported.has(gap.intent)) this.unsupported.set(gap.intent, step);
      steps.push(step);
    }
    return steps;
  }

  /** Remove what `policy` applied (e.g. before the next scenario step replaces it). */
  removePolicy(id: string, name: string, intents: Intent[]): Step[] {
    const rendered = this.ctx.driver.render(parseIntents(intents), this.ctx.target, this.ctx.routing);
    if (rendered.manifests.length === 0) return [];
    return [{ kind: "delete", id, name, timeoutMs: TIMEOUTS.delete, manifests: rendered.manifests }];
  }

  converge(id: string, name: string, checks: CheckSpecInput[], opts: { windows?: number; probe?: Partial<LoadProfileInput>; requires?: IntentKind[] } = {}): ConvergeStep {
    const probe = this.load({ durationSeconds: 5, ...opts.probe, name: `${id}-probe` });
    return {
      kind: "converge",
      id,
      name,
      timeoutMs: TIMEOUTS.convergence,
      probe,
      checks: checks.map((c) => CheckSpecSchema.parse(c)),
      windows: opts.windows ?? 3,
      ...(opts.requires ? { requires: opts.requires } : {}),
    };
  }

  measure(
    id: string,
    name: string,
    checks: CheckSpecInput[],
    opts: { load?: Partial<LoadProfileInput>; maxBatches?: number; requires?: IntentKind[] } = {},
  ): MeasureStep {
    const load = this.load({ ...opts.load, name: opts.load?.name ?? id });
    const parsed: CheckSpec[] = checks.map((c) => CheckSpecSchema.parse(c));
    const maxBatches = opts.maxBatches ?? 4;
    return {
      kind: "measure",
      id,
      name,
      timeoutMs: (load.durationSeconds * maxBatches) * 1000 + TIMEOUTS.loadGrace * maxBatches,
      load,
      checks: parsed,
      maxBatches,
      ...(opts.requires ? { requires: opts.requires } : {}),
    };
  }

  /** A gate treats an inconclusive check like a failed one unless `advanceOnInconclusive` says otherwise. */
  gate(id: string, after: string, action: string, onFail: Step[], opts: { advanceOnInconclusive?: boolean } = {}): GateStep {
    const when = opts.advanceOnInconclusive ? "fails" : "fails or cannot decide";
    return {
      kind: "gate",
      id,
      name: `if any check of "${after}" ${when}: ${action}`,
      timeoutMs: TIMEOUTS.apply * 2,
      after,
      action,
      onFail,
      ...(opts.advanceOnInconclusive ? { advanceOnInconclusive: true } : {}),
    };
  }

  /** Link each unsupported intent to the checks that depend on it. */
  finish(phases: ScenarioPhases): ScenarioPlan {
    const all: Phase[] = [
      { name: "setup", steps: phases.setup ?? [] },
      { name: "assess", steps: phases.assess },
      { name: "teardown", steps: phases.teardown ?? [] },
    ];
    for (const step of walkSteps(all.flatMap((p) => p.steps))) {
      if (step.kind !== "measure" && step.kind !== "converge") continue;
      for (const intent of step.requires ?? []) {
        const gap = this.unsupported.get(intent);
        if (gap) gap.checks.push(...step.checks.map((c) => c.id).filter((c) => !gap.checks.includes(c)));
      }
    }
    return {
      scenario: this.definition.name,
      description: this.definition.description,
      claims: this.definition.claims,
      requires: this.definition.requires,
      phases: all,
    };
  }
}

export function planScenario(definition: ScenarioDefinition, ctx: ScenarioContext): ScenarioPlan {
  const factory = new StepFactory(ctx, definition);
  return factory.finish(definition.build(ctx, factory));
}
