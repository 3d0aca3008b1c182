/**
 * `clean`: remove what meshproof created, found by its managed-by label, across every namespace
 * and resource kind the API server lists; optionally the kind cluster it created. The host cluster
 * is always stopped and removed whole (processes, state, network devices, iptables chains, mounts).
 * Runs through the same executor as a plan, so --dry-run prints exactly what would run.
 */
import { EXIT } from "../analysis/verdict.js";
import { UsageError } from "../core/errors.js";
import type { CommandStep } from "../plan/steps.js";
import { TIMEOUTS } from "../core/timeouts.js";
import { processCommandRunner, tail } from "../core/commands.js";
import { MANAGED_BY_VALUE as MANAGED_BY } from "../stack/labels.js";
import { hostDestroyStep } from "../cluster/host/index.js";

export function cleanSteps(context: string, opts: { cluster: string; clusterName: string; deleteCluster: boolean }): CommandStep[] {
  const selector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
  const steps: CommandStep[] = [
    {
      kind: "command",
      id: "delete-labelled-namespaces",
      name: "delete namespaces meshproof created (and everything in them)",
      timeoutMs: TIMEOUTS.delete,
      argv: ["kubectl", "--context", context, "delete", "namespace", "-l", selector, "--ignore-not-found", "--wait=true"],
    },
    {
      kind: "command",
      id: "delete-labelled-objects",
      name: "delete labelled objects left in other namespaces and cluster-wide",
      timeoutMs: TIMEOUTS.delete,
      // `all` misses CRDs' instances; listing the kinds the server has catches Istio and Linkerd objects too.
      argv: ["kubectl", "--context", context, "delete", "$(kinds)", "--all-namespaces", "-l", selector, "--ignore-not-found"],
    },
  ];
  if (opts.deleteCluster && opts.cluster === "kind") {
    steps.push({
      kind: "command",
      id: "delete-cluster",
      name: `delete the kind cluster ${opts.clusterName}`,
      timeoutMs: TIMEOUTS.clusterDelete,
      argv: ["kind", "delete", "cluster", "--name", opts.clusterName],
    });
  }
  return steps;
}

export async function cleanCommand(raw: Record<string, unknown>): Promise<number> {
  const cluster = String(raw.cluster ?? "kind");
  const clusterName = String(raw.clusterName ?? "meshproof");
  const explicit = typeof raw.context === "string" ? raw.context : undefined;
  if ((cluster === "current" || cluster === "gke") && !explicit) {
    throw new UsageError(`clean --cluster ${cluster} needs --context NAME: meshproof only deletes from a context you name`);
  }
  if (cluster === "host") return cleanHost(clusterName, Boolean(raw.dryRun));
  const context = explicit ?? `kind-${clusterName}`;
  const steps = cleanSteps(context, { cluster, clusterName, deleteCluster: Boolean(raw.deleteCluster) });
  if (raw.dryRun) {
    for (const s of steps) process.stdout.write(`${s.name}:\n  ${s.argv.join(" ")}\n`);
    process.stdout.write("($(kinds) = every listable, deletable resource kind: `kubectl api-resources --verbs=list,delete -o name`)\n");
    return EXIT.ok;
  }
  const kinds = await processCommandRunner.run(["kubectl", "--context", context, "api-resources", "--verbs=list,delete", "-o", "name"], { timeoutMs: TIMEOUTS.command });
  if (kinds.exitCode !== 0) {
    process.stderr.write(`meshproof: cannot reach context ${context}: ${tail(kinds.stderr, 2)}\n  nothing was removed; is the cluster running? (kubectl config get-contexts)\n`);
    return EXIT.environment;
  }
  const kindList = kinds.stdout.split("\n").map((k) => k.trim()).filter((k) => k && !k.startsWith("events"));
  let failed = 0;
  for (const step of steps) {
    const argv = step.argv.flatMap((a) => (a === "$(kinds)" ? [kindList.join(",")] : [a]));
    process.stderr.write(`… ${step.name}\n`);
    const out = await processCommandRunner.run(argv, { timeoutMs: step.timeoutMs });
    if (out.exitCode !== 0) {
      failed += 1;
      process.stderr.write(`✖ ${step.name}: ${tail(out.stderr, 3)}\n`);
    } else {
      process.stderr.write(`✔ ${step.name}${out.stdout.trim() ? `\n${out.stdout.trim()}` : ""}\n`);
    }
  }
  return failed > 0 ? EXIT.checkFailed : EXIT.ok;
}

/**
 * The host cluster goes whole: its stop also removes what a crashed or interrupted start left.
 * --dry-run also says what the stop would find on this machine (as root on Linux, where it looks).
 */
async function cleanHost(clusterName: string, dryRun: boolean): Promise<number> {
  const steps = [hostDestroyStep(clusterName)];
  for (const step of steps) {
    if (dryRun) {
      process.stdout.write(`${step.name}:\n  ${step.argv.join(" ")}\n`);
      if (process.platform !== "linux" || process.getuid?.() !== 0) {
        process.stdout.write("(what is there to remove is looked for only as root on Linux)\n");
        continue;
      }
      const { leftovers } = await import("../cluster/host/lifecycle.js");
      const found = await leftovers(clusterName);
      process.stdout.write(found.length > 0 ? found.map((f) => `would remove: ${f}\n`).join("") : `nothing of host cluster ${clusterName} is left\n`);
      continue;
    }
    process.stderr.write(`… ${step.name}\n`);
    const out = await processCommandRunner.run(step.argv, { timeoutMs: step.timeoutMs });
    if (out.exitCode !== 0) {
      process.stderr.write(`✖ ${step.name}: ${tail(out.stderr || out.stdout, 6)}\n`);
      return out.exitCode === EXIT.environment ? EXIT.environment : EXIT.checkFailed;
    }
    process.stderr.write(`✔ ${out.stdout.trim()}\n`);
  }
  return EXIT.ok;
}
