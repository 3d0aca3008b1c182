#!/usr/bin/env node
/**
 * meshproof's command line: scenario, suite, compare, clean (DESIGN section 7). Every error
 * becomes a message, a hint and an exit code of the contract; stack traces only with DEBUG.
 */
import { Command, CommanderError, Option } from "commander";
// Only light modules here: `--help`, `--list` and usage errors answer before anything heavy
// (scenarios, manifests, drivers, reports) is loaded; each command imports its work when it runs.
import { EXIT, EXIT_LEGEND } from "../analysis/exit-codes.js";
import { CLUSTER_NAMES } from "../cluster/provider.js";
import { MeshproofError, bugLines } from "../core/errors.js";
import { EVERY_MESH, MESHES, type MeshRegistry } from "../mesh/registry.js";
import { DEFAULT_LOAD_ENGINE, LOAD_ENGINES } from "../load/engine-options.js";
import { VLLM_DEFAULTS } from "../stack/backend-options.js";
import { ALL_MUTANTS, checkRunNames, mutantLines, scenarioLines, suiteLines } from "./catalog.js";
import type { CompareCliOptions } from "./compare.js";
import { GATEWAY_API_VERSION, meshVersionDefault, parseRunOptions } from "./options.js";

/** Validate a run's flags and names, then load the run machinery. */
async function runCommand(command: "scenario" | "suite", name: string, raw: Record<string, unknown>, registry: MeshRegistry): Promise<number> {
  checkRunNames(command, name, parseRunOptions(raw, registry).mutant);
  return (await import("./run.js")).runCommand(command, name, raw, registry);
}

/** "istio and linkerd", "istio, linkerd and stub". */
function listing(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function runOptions(cmd: Command, registry: MeshRegistry): Command {
  cmd
    .addOption(new Option("--mesh <mesh>", `mesh to test; ${EVERY_MESH} = ${listing(registry.compared)}; the no-mesh baseline joins where a scenario compares against it`).choices(registry.choices).default(EVERY_MESH))
    .addOption(new Option("--cluster <cluster>", "where to run").choices([...CLUSTER_NAMES]).default("kind"))
    .option("--dry-run", "write plan.json and every manifest instead of running; needs no cluster, Docker or mesh CLI", false)
    .option("--out <dir>", "folder for run folders (<out>/<run-id>/)", "reports")
    .option("--duration <d>", "measurement time per step, e.g. 20s, 2m (default: each scenario's own)")
    .option("--rate <r>", "offered load in requests per second (default: each scenario's own)")
    .option("--seed <n>", "seed for randomised choices, recorded in results.json")
    .option("--keep", "keep the cluster, mesh and stack afterwards (for debugging a failure)", false)
    .option("--json", "machine-readable output: JSON lines of progress and a final JSON summary on stdout (through npm, use `npm run -s` so its banner stays off stdout)", false)
    .option("--context <name>", "kube context to use with --cluster current")
    .option("--cluster-name <name>", "name of the kind, host or GKE cluster meshproof creates", "meshproof")
    .addOption(new Option("--routing <api>", "express traffic policy with the mesh's own API or Gateway API (GAMMA)").choices(["native", "gamma"]).default("native"))
    .addOption(new Option("--install-method <m>", "install meshes with their CLI or Helm").choices(["cli", "helm"]).default("cli"))
    .addOption(new Option("--load-engine <engine>", "load generator: meshproof's own (builtin), or a k6 you installed (K6_BIN or PATH; K6_IMAGE on a cluster)").choices([...LOAD_ENGINES]).default(DEFAULT_LOAD_ENGINE));
  for (const mesh of registry.versioned) cmd.addOption(new Option(`${mesh.version.flag} <v>`, `${mesh.title} version`).default(meshVersionDefault(mesh)).env(mesh.version.env));
  return cmd
    .addOption(new Option("--gateway-api-version <v>", "Gateway API CRD version").default(process.env.MESHPROOF_GATEWAY_API_VERSION ?? GATEWAY_API_VERSION).env("MESHPROOF_GATEWAY_API_VERSION"))
    .option("--gke-project <id>", "GCP project for --cluster gke")
    .option("--gke-location <zone>", "GCP zone or region for --cluster gke")
    .option("--accelerator <type>", "GKE accelerator node pool, e.g. nvidia-tesla-t4")
    .option("--backend <name>", "what serves the completions: llm-sim (meshproof's reference server), vllm (vLLM on GPU nodes: --cluster gke or current), openai (an OpenAI-compatible endpoint you run: --backend-url, --mesh none), kserve (KServe LLMInferenceService behind an Istio Gateway and an InferencePool: --mesh istio --dry-run only). Checks that count by llm-sim's x-llm-* headers are unsupported on the others", "llm-sim")
    .option("--backend-url <url>", "--backend openai: the endpoint's base URL (load goes to <url>/v1/...)")
    .option("--vllm-image <image>", "--backend vllm or kserve: the vLLM server image", VLLM_DEFAULTS.image)
    .option("--vllm-model <name>", "--backend vllm or kserve: the Hugging Face model to serve", VLLM_DEFAULTS.model)
    .option("--vllm-gpus <n>", "--backend vllm or kserve: GPUs per pod (also vLLM's tensor parallelism); the node pool is --accelerator's (default nvidia-tesla-t4)", String(VLLM_DEFAULTS.gpus))
    .option("--mutants", "after each scenario, run each of its mutants (its deliberately wrong twins, see `scenario --list`) on the same install: each must fail the check aimed at it; exit 1 if one survives or is never judged")
    .option("--pushgateway <url>", "after the run, push verdicts and key figures to this Prometheus Pushgateway (labels: run_id, scenario, mesh, version)");
}

const EXIT_CODES_HELP = `
${EXIT_LEGEND}
Reports land in <out>/<run-id>/: results.json, report.md, report.html, junit.xml
(with --dry-run: plan.json and manifests/<mesh>/<step>/*.yaml).`;

/** The command line over a mesh registry: MESHES, or one a test extends with a stub mesh. */
export function buildProgram(registry: MeshRegistry = MESHES): Command {
  const program = new Command("meshproof")
    .description("Chaos and conformance harness for service meshes carrying LLM inference traffic")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();

  runOptions(
    program
      .command("scenario")
      .argument("[name]", "scenario to run")
      .description("run one scenario against one or both meshes")
      .option("--capabilities", "print what each mesh can express, per intent, and exit")
      .option("--list", "list scenarios and their mutants, and exit")
      .option("--mutant <name>", "run a scenario's deliberately wrong twin (see Mutants below): exit 0 when its aimed check fails (killed), 1 when it passes (survived); `all` runs every mutant that runs on the chosen --cluster and --mesh")
      .addHelpText("after", () => `\nScenarios:\n${scenarioLines()}\n\nMutants (--mutant NAME; the check named must fail):\n${mutantLines()}\n${EXIT_CODES_HELP}\n\nExamples:\n  npm run scenario canary\n  npm run scenario -- benchmark --cluster local --mesh none --rate 20 --out reports\n  npm run scenario -- fault-injection --mesh linkerd --dry-run`),
    registry,
  ).action(async (name: string | undefined, opts: Record<string, unknown>) => {
    if (opts.capabilities) {
      const { capabilitiesTable } = await import("./capabilities.js");
      process.stdout.write(await capabilitiesTable(opts.routing === "gamma" ? "gamma" : "native", Boolean(opts.json), registry));
      return;
    }
    if (opts.list) {
      process.stdout.write(`Scenarios:\n${scenarioLines()}\n\nMutants (--mutant NAME; the check named must fail):\n${mutantLines()}\n`);
      return;
    }
    if (opts.mutant === ALL_MUTANTS) {
      const { runAllMutants } = await import("./mutant.js");
      process.exitCode = await runAllMutants(name ?? "", opts, (raw) => runCommand("scenario", "", raw, registry), (line) => {
        if (!opts.json) process.stderr.write(`${line}\n`);
      });
      return;
    }
    process.exitCode = await runCommand("scenario", name ?? "", opts, registry);
  });

  runOptions(
    program
      .command("suite")
      .argument("[name]", "suite to run")
      .description("run a suite: a list of scenarios across meshes")
      .addHelpText("after", () => `\nSuites:\n${suiteLines()}\n${EXIT_CODES_HELP}`),
    registry,
  ).action(async (name: string | undefined, opts: Record<string, unknown>) => {
    process.exitCode = await runCommand("suite", name ?? "", opts, registry);
  });

  program
    .command("compare")
    .argument("<dirs...>", "run folders, or folders that contain run folders; each is one side, the first is the reference")
    .description("compare runs side by side: Istio vs Linkerd vs the baseline, and each later folder against the first")
    .option("--out <dir>", "where to write comparison.md/.html/.json (default: reports/compare-<time>)")
    .option("--json", "print the comparison as JSON on stdout", false)
    .option("--gate", "exit 1 when a later folder regressed against the first (a figure beyond its interval and margin, or a passing check that fails)", false)
    .option("--margin <fraction>", "smallest latency change the gate acts on, relative to the reference (e.g. 5%)")
    .option("--false-alarm <p>", "family-wise probability that two runs of one build are flagged (e.g. 1%)")
    .action(async (dirs: string[], opts: CompareCliOptions) => {
      process.exitCode = await (await import("./compare.js")).compareCommand(dirs, opts);
    });

  program
    .command("clean")
    .description("remove everything meshproof created, found by its labels (app.kubernetes.io/managed-by=meshproof)")
    .addOption(new Option("--cluster <cluster>", "where to clean").choices(["kind", "current", "host", "gke"]).default("kind"))
    .option("--context <name>", "kube context (default: the meshproof kind cluster)")
    .option("--cluster-name <name>", "cluster meshproof created", "meshproof")
    .option("--delete-cluster", "also delete the kind cluster meshproof created (host: always stopped and removed)", false)
    .option("--dry-run", "print what would be removed", false)
    .action(async (opts: Record<string, unknown>) => {
      process.exitCode = await (await import("./clean.js")).cleanCommand(opts);
    });

  return program;
}

export async function main(argv: string[], registry: MeshRegistry = MESHES): Promise<number> {
  const program = buildProgram(registry);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed the message (and help/version output exits 0).
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof MeshproofError) {
    // Some messages already end with their hint (a missing tool says how to get it).
    const hint = err.hint && !err.message.includes(err.hint) ? `  ${err.hint}\n` : "";
    process.stderr.write(`meshproof: ${err.message}\n${hint}`);
    return err.exitCode;
  }
  reportBug(err);
  return EXIT.bug;
}

/** Not the mesh's fault nor the user's: say so, so nobody reads it as a failed check. */
function reportBug(err: unknown): void {
  process.stderr.write(`${bugLines(err).join("\n")}\n`);
}

// Run when executed directly (npm scripts call this file through tsx).
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("src/cli/main.ts")) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      reportBug(err);
      process.exit(EXIT.bug);
    },
  );
}

