/**
 * results.json as a zod schema: the one description of the record that reporters, `compare` and
 * the exports read, published as JSON Schema in schemas/results.schema.json (written by
 * `npm run schema`, checked byte for byte by a test). A compile-time check below ties this schema
 * to the TypeScript types of results.ts, so a field added to one and not the other fails
 * `npm run typecheck`. Objects accept fields they do not know: a results.json written by a
 * slightly newer meshproof of the same schema version still validates.
 */
import { z } from "zod";
import { LoadProfile } from "../load/profile.js";
import { INTENT_KINDS } from "../mesh/intent.js";
import { RESULTS_SCHEMA_VERSION, type RunResults } from "./results.js";

const Interval = z.looseObject({
  low: z.number(),
  high: z.number(),
  confidence: z.number().gt(0).lt(1),
}).meta({ id: "Interval" });

export const VerdictSchema = z.looseObject({
  checkId: z.string(),
  claim: z.string(),
  status: z.enum(["pass", "fail", "inconclusive", "unsupported"]),
  reason: z.string(),
  observed: z.number().optional(),
  expected: z.number().optional(),
  interval: Interval.optional(),
  requestedTolerance: z.number().optional(),
  tolerance: z.number().optional(),
  sampleSize: z.number().optional(),
  errorProbabilities: z
    .looseObject({
      falseFailure: z.number(),
      falsePass: z.number().optional(),
      targets: z.looseObject({ falseFailure: z.number(), falsePass: z.number() }).optional(),
    })
    .optional(),
  unresolvable: z.boolean().optional(),
  design: z.looseObject({ rule: z.enum(["interval", "sprt"]), looksTaken: z.array(z.number()), plannedLooks: z.number(), budget: z.number() }).optional(),
  unit: z.string().optional(),
  evidence: z.array(z.string()),
}).meta({ id: "Verdict" });

export const LatencySummarySchema = z.looseObject({
  count: z.number().nonnegative(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
  hdr: z.string(),
  unit: z.literal("ms"),
}).meta({ id: "LatencySummary" });

/** A per-request rate (tokens per second) summarised like latency; its unit is not ms. */
const RateSummarySchema = LatencySummarySchema.meta({ id: "RateSummary", description: "Per-request rate in tokens per second, summarised from an HDR histogram like latency (the unit field is historical)." });

const OutcomeCountSchema = z.looseObject({
  version: z.string(),
  status: z.number(),
  count: z.number().nonnegative(),
  peer: z.string().optional(),
  attempt: z.number().optional(),
}).meta({ id: "OutcomeCount" });

export const LoadResultSchema = z.looseObject({
  profile: LoadProfile.loose(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationSeconds: z.number(),
  offeredRps: z.number(),
  achievedRps: z.number(),
  requests: z.number().nonnegative(),
  failed: z.number().nonnegative(),
  errorRate: z.number().min(0).max(1),
  droppedIterations: z.number().nonnegative(),
  outcomes: z.array(OutcomeCountSchema),
  latency: z.looseObject({
    e2e: LatencySummarySchema,
    ttft: LatencySummarySchema.optional(),
    itl: LatencySummarySchema.optional(),
    e2eFromSend: LatencySummarySchema.optional(),
    ttftFromSend: LatencySummarySchema.optional(),
  }),
  failedLatency: z.array(z.looseObject({ status: z.number(), e2e: LatencySummarySchema, e2eFromSend: LatencySummarySchema.optional() })).optional(),
  outputTokensPerSecond: RateSummarySchema.optional(),
  sloMet: z.looseObject({ met: z.number(), total: z.number() }).optional(),
  startDelay: LatencySummarySchema.optional(),
  evidence: z.array(z.string()),
}).meta({ id: "LoadResult" });

const ConvergenceSchema = z.looseObject({
  converged: z.boolean(),
  timeToConvergeMs: z.number().nullable(),
  windows: z.number(),
  misses: z.array(z.looseObject({ atMs: z.number(), reason: z.string() })),
  diagnosis: z.enum(["converged", "never-applied", "applied-but-wrong", "too-slow", "timed-out"]),
  limitMs: z.number().optional(),
  limitReason: z.string().optional(),
}).meta({ id: "Convergence" });

export const StepRecordSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.enum(["ok", "failed", "skipped", "unsupported", "interrupted"]),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  load: LoadResultSchema.optional(),
  batches: z.number().optional(),
  verdicts: z.array(VerdictSchema).optional(),
  convergence: ConvergenceSchema.optional(),
  unsupported: z.looseObject({ intent: z.string(), reason: z.string() }).optional(),
  error: z.string().optional(),
  evidence: z.array(z.string()).optional(),
}).meta({ id: "StepRecord" });

const IntentKindSchema = z.enum(INTENT_KINDS);

const ScenarioRecordSchema = z.looseObject({
  name: z.string(),
  description: z.string(),
  claims: z.array(z.string()),
  status: z.enum(["pass", "fail", "inconclusive", "unsupported", "error"]),
  requires: z.array(IntentKindSchema).optional(),
  steps: z.array(StepRecordSchema),
  verdicts: z.array(VerdictSchema),
  familyWise: z.looseObject({ falseFailure: z.number(), maxFalsePass: z.number(), checks: z.number() }).optional(),
}).meta({ id: "ScenarioRecord" });

const MutantStatusSchema = z.enum(["killed", "survived", "inconclusive", "unsupported", "not-judged"]);

const MutantFields = {
  name: z.string(),
  scenario: z.string(),
  wrong: z.string(),
  aimedAt: z.string(),
  kind: z.enum(["mesh-config", "backend"]),
  backend: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
};

const MutantRunRecordSchema = z.looseObject({
  ...MutantFields,
  aimedStep: z.string(),
  status: MutantStatusSchema,
  reason: z.string(),
  durationMs: z.number().nonnegative(),
  run: ScenarioRecordSchema,
}).meta({ id: "MutantRunRecord", description: "A mutant run on its target's install (--mutants): killed when the aimed check failed." });

const CapabilityEntrySchema = z.looseObject({ support: z.enum(["native", "emulated", "unsupported"]), note: z.string() }).meta({ id: "CapabilityEntry" });

const TargetRecordSchema = z.looseObject({
  mesh: z.string(),
  meshVersion: z.string(),
  routing: z.string(),
  capabilities: z.record(IntentKindSchema, CapabilityEntrySchema).optional(),
  setup: z.array(StepRecordSchema),
  scenarios: z.array(ScenarioRecordSchema),
  mutants: z.array(MutantRunRecordSchema).optional(),
  teardown: z.array(StepRecordSchema),
}).meta({ id: "TargetRecord" });

export const RunResultsSchema = z
  .looseObject({
    schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
    runId: z.string().min(1),
    command: z.enum(["scenario", "suite"]),
    name: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    durationMs: z.number().nonnegative(),
    dryRun: z.literal(false),
    cluster: z.looseObject({ name: z.string(), description: z.string() }),
    options: z.record(z.string(), z.unknown()),
    tools: z.array(z.looseObject({ name: z.string(), path: z.string(), source: z.string(), version: z.string() })),
    versions: z.record(z.string(), z.string()),
    host: z.looseObject({ platform: z.string(), cpus: z.number(), node: z.string() }),
    targets: z.array(TargetRecordSchema),
    summary: z.looseObject({
      pass: z.number(),
      fail: z.number(),
      inconclusive: z.number(),
      unsupported: z.number(),
      exitCode: z.number().int(),
      mutants: z.looseObject({ killed: z.number(), survived: z.number(), inconclusive: z.number(), unsupported: z.number(), notJudged: z.number() }).optional(),
    }),
    aborted: z.string().optional(),
    cleanupFailures: z.array(z.string()).optional(),
    skippedScenarios: z.array(z.looseObject({ scenario: z.string(), reason: z.string() })).optional(),
    mutant: z.looseObject({
      ...MutantFields,
      outcomes: z.array(z.looseObject({ mesh: z.string(), status: MutantStatusSchema, reason: z.string() })),
    }).optional(),
  })
  .meta({
    $id: `https://meshproof.dev/schemas/results-v${RESULTS_SCHEMA_VERSION}.schema.json`,
    title: "meshproof results.json",
    description:
      "The versioned record of one meshproof run (scenario or suite): per mesh the set-up, scenario and teardown steps, the load each step drove and measured, and every verdict with its interval.",
  });

/**
 * Compile-time tie between this schema and the interfaces of results.ts: every field path (deep)
 * must be on both sides, and each side must be assignable to the other. A field added to Verdict,
 * LoadResult or a record type and forgotten here (or the reverse) fails `npm run typecheck`,
 * naming the path.
 */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: 0 } & string;
type LeafName<T> = T extends string
  ? string extends T ? "string" : `"${T}"`
  : T extends number
    ? number extends T ? "number" : `${T}`
    : T extends boolean
      ? "boolean"
      : T extends null
        ? "null"
        : "unknown";
/**
 * Every field path with its optionality and leaf type, deep ("".targets[].mesh:string",
 * ".summary.exitCode:number", ".aborted?:string"). The schema's objects are loose (an index
 * signature for unknown fields): only known fields count.
 */
type Paths<T, P extends string = ""> = T extends readonly (infer E)[]
  ? Paths<E, `${P}[]`>
  : T extends object
    ? { [K in KnownKeys<T>]-?: Paths<Exclude<T[K], undefined>, `${P}.${K}${undefined extends T[K] ? "?" : ""}`> }[KnownKeys<T>]
    : `${P}:${LeafName<T>}`;
type SchemaPaths = Paths<z.infer<typeof RunResultsSchema>>;
type TypePaths = Paths<RunResults>;
type OnlyInTypes = Exclude<TypePaths, SchemaPaths>;
type OnlyInSchema = Exclude<SchemaPaths, TypePaths>;
const schemaMatchesTypes: [OnlyInTypes, OnlyInSchema] extends [never, never] ? true : { onlyInTypes: OnlyInTypes; onlyInSchema: OnlyInSchema } = true;
void schemaMatchesTypes;

/** The JSON Schema published in schemas/results.schema.json. */
export function resultsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RunResultsSchema, { target: "draft-2020-12", io: "output", unrepresentable: "any" }) as Record<string, unknown>;
}

/** The file's text: stable key order and a trailing newline, so the check is byte for byte. */
export function resultsJsonSchemaText(): string {
  return `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
}
