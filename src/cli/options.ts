/**
 * Run options as the CLI contract defines them (DESIGN section 7), validated with zod so a bad
 * value is one clear line and exit 2, never a stack trace.
 */
import { z } from "zod";
import { CLUSTER_NAMES } from "../cluster/provider.js";
import { UsageError } from "../core/errors.js";
import { DEFAULT_LOAD_ENGINE, LOAD_ENGINES } from "../load/engine-options.js";
import { EVERY_MESH, MESHES, versionOptionKey, type MeshRegistry } from "../mesh/registry.js";
import { BACKENDS, VLLM_DEFAULTS, type Backend } from "../stack/backend-options.js";

/** The Gateway API CRD version meshes that route with it install alongside. */
export const GATEWAY_API_VERSION = "v1.5.1";

/**
 * Pinned defaults (DESIGN section 6): each mesh's from the registry, and the Gateway API's; each
 * can be overridden by flag or environment variable.
 */
export const PINS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(MESHES.versioned.map((e) => [e.name, e.version.pin])),
  gatewayApi: GATEWAY_API_VERSION,
};

/** A mesh's version as the user set it (flag or environment variable), else its pin. */
export function meshVersionDefault(entry: { version: { pin: string; env: string } }): string {
  return process.env[entry.version.env] ?? entry.version.pin;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** "20s", "2m", "1500ms", "90" (seconds) -> seconds. */
export function parseDuration(text: string): number {
  const parts = text.trim().match(/\d+(?:\.\d+)?(?:ms|s|m|h)?/g);
  if (!parts || parts.join("") !== text.trim()) throw new Error(`"${text}" is not a duration (try 20s, 2m or 1m30s)`);
  let seconds = 0;
  for (const part of parts) {
    const [, n, unit] = part.match(DURATION) ?? [];
    const value = Number(n);
    seconds += unit === "ms" ? value / 1000 : unit === "m" ? value * 60 : unit === "h" ? value * 3600 : value;
  }
  if (seconds <= 0) throw new Error(`duration "${text}" must be more than zero`);
  return seconds;
}

/** Every option but those the mesh registry decides (`--mesh` and each mesh's version flag). */
const CommonRunOptions = z.object({
  cluster: z.enum(CLUSTER_NAMES).default("kind"),
  dryRun: z.boolean().default(false),
  out: z.string().min(1).default("reports"),
  duration: z
    .string()
    .optional()
    .transform((d, ctx) => {
      if (d === undefined) return undefined;
      try {
        return parseDuration(d);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  rate: z.coerce.number({ error: "must be a number of requests per second" }).positive("must be a positive number of requests per second").optional(),
  seed: z.coerce.number({ error: "must be a whole number, 0 or more" }).int("must be a whole number, 0 or more").nonnegative("must be a whole number, 0 or more").optional(),
  keep: z.boolean().default(false),
  json: z.boolean().default(false),
  context: z.string().min(1).optional(),
  clusterName: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower case letters, digits and '-'").default("meshproof"),
  routing: z.enum(["native", "gamma"]).default("native"),
  installMethod: z.enum(["cli", "helm"]).default("cli"),
  /** builtin: meshproof's own generator; k6: a k6 the user brings (K6_BIN or PATH; K6_IMAGE on a cluster). */
  loadEngine: z.enum(LOAD_ENGINES).default(DEFAULT_LOAD_ENGINE),
  gatewayApiVersion: z.string().default(process.env.MESHPROOF_GATEWAY_API_VERSION ?? GATEWAY_API_VERSION),
  gkeProject: z.string().optional(),
  gkeLocation: z.string().optional(),
  accelerator: z.string().optional(),
  /** Run a scenario's deliberately wrong twin (scenarios/mutants.ts); its aimed check must fail. */
  mutant: z.string().min(1).optional(),
  /** Run every mutant of the run's scenarios on each target's own install, each right after its scenario. */
  mutants: z.boolean().default(false),
  /** What serves the completions (src/stack/backend.ts). */
  backend: z.enum(BACKENDS).default("llm-sim"),
  /** --backend openai: the OpenAI-compatible endpoint load is sent to; nothing is deployed for it. */
  backendUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://127.0.0.1:8000" }).optional(),
  vllmImage: z.string().min(1).default(VLLM_DEFAULTS.image),
  vllmModel: z.string().min(1).default(VLLM_DEFAULTS.model),
  vllmGpus: z.coerce.number({ error: "must be a whole number of GPUs, 1 or more" }).int("must be a whole number of GPUs, 1 or more").min(1, "must be a whole number of GPUs, 1 or more").default(VLLM_DEFAULTS.gpus),
  /** Base URL of a Pushgateway to push verdicts and key figures to after the run. */
  pushgateway: z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://pushgateway:9091" }).optional(),
});

/**
 * Validated run options: `mesh` is one of the registry's choices, and each mesh's version sits
 * under its flag's camel-cased name (`--istio-version` -> `istioVersion`).
 */
export type RunOptions = z.output<typeof CommonRunOptions> & { mesh: string } & { [meshVersion: `${string}Version`]: string };

const schemas = new WeakMap<MeshRegistry, z.ZodType<RunOptions>>();

/** The option schema of a registry's meshes. */
export function runOptionsSchema(registry: MeshRegistry = MESHES): z.ZodType<RunOptions> {
  let schema = schemas.get(registry);
  if (!schema) {
    const [first, ...rest] = registry.choices;
    const versions = registry.versioned.map((e) => [versionOptionKey(e), z.string().default(meshVersionDefault(e))] as const);
    // In the order of --help (--mesh first, each mesh's version before the Gateway API's), which
    // is also the order plan.json and results.json record the options in.
    const common = Object.entries(CommonRunOptions.shape);
    const at = common.findIndex(([key]) => key === "gatewayApiVersion");
    const shape = Object.fromEntries([["mesh", z.enum([first!, ...rest]).default(EVERY_MESH)], ...common.slice(0, at), ...versions, ...common.slice(at)]);
    schema = z.object(shape) as unknown as z.ZodType<RunOptions>;
    schemas.set(registry, schema);
  }
  return schema;
}

/** Validate raw flags; every problem is listed, as one UsageError. */
export function parseRunOptions(raw: Record<string, unknown>, registry: MeshRegistry = MESHES): RunOptions {
  const parsed = runOptionsSchema(registry).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `--${kebab(String(i.path[0] ?? ""))}: ${i.message}`);
    throw new UsageError(problems.join("\n"), "see --help for the accepted values");
  }
  const opts = parsed.data;
  if (opts.cluster === "current" && !opts.context && !opts.dryRun) {
    throw new UsageError(
      "--cluster current needs --context NAME: meshproof installs and removes a mesh, so it only touches a context you name",
      "list contexts with `kubectl config get-contexts`",
    );
  }
  if (opts.cluster === "gke" && !opts.dryRun && (!opts.gkeProject || !opts.gkeLocation)) {
    throw new UsageError("--cluster gke needs --gke-project and --gke-location");
  }
  checkBackend(opts);
  if (opts.mutants && opts.mutant) throw new UsageError("--mutants runs every mutant of the run's scenarios; --mutant runs one on an install of its own: use one of them");
  return opts;
}

function checkBackend(opts: RunOptions): void {
  if (opts.backend === "openai" && !opts.backendUrl) {
    throw new UsageError("--backend openai needs --backend-url URL: the OpenAI-compatible endpoint to send load to (meshproof deploys no backend for it)");
  }
  if (opts.backend !== "openai" && opts.backendUrl) {
    throw new UsageError(`--backend-url is for --backend openai (the backend is ${opts.backend})`);
  }
  if (opts.backend === "kserve" && (!opts.dryRun || opts.mesh !== "istio")) {
    throw new UsageError("--backend kserve renders the KServe variant of the Istio stack as a plan only: use it with --mesh istio --dry-run");
  }
  if (opts.backend === "vllm" && !opts.dryRun && opts.cluster !== "gke" && opts.cluster !== "current") {
    throw new UsageError(`--backend vllm needs GPU nodes: --cluster gke (with --accelerator) or --cluster current on a GPU cluster, not --cluster ${opts.cluster}`);
  }
  if (opts.backend === "openai" && opts.mesh !== "none") {
    throw new UsageError("--backend openai sends load straight to the endpoint you name, past any mesh: use it with --mesh none");
  }
}

/** The backend the options describe. */
export function backendOf(opts: Pick<RunOptions, "backend" | "backendUrl" | "vllmImage" | "vllmModel" | "vllmGpus" | "accelerator">): Backend {
  const vllm = { image: opts.vllmImage, model: opts.vllmModel, gpus: opts.vllmGpus, accelerator: opts.accelerator ?? VLLM_DEFAULTS.accelerator };
  switch (opts.backend) {
    case "llm-sim":
      return { name: "llm-sim" };
    case "vllm":
      return { name: "vllm", vllm };
    case "kserve":
      return { name: "kserve", vllm };
    case "openai":
      return { name: "openai", url: (opts.backendUrl ?? "").replace(/\/+$/, "") };
  }
}

function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
