/**
 * `tsx src/cluster/host/main.ts up|down|status --name NAME`: the host cluster's own command,
 * which the `host` provider's plan steps call (so --dry-run shows the start and the stop as
 * commands), and which a user can run by hand to keep a cluster between runs.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MeshproofError, errorMessage } from "../../core/errors.js";
import { down, status, up } from "./lifecycle.js";
import { CLUSTER_NAME_PATTERN, hostLayout } from "./settings.js";

const USAGE = "usage: host-cluster up|down|status [--name NAME] [--sandbox-image IMAGE] [--started-by RUN] [--if-started-by RUN] [--json]";

/**
 * Which run started the cluster: `up --started-by RUN` writes it only when it started the
 * cluster (not when it found one running), and `down --if-started-by RUN` stops the cluster only
 * when that run did. A run's clean-up thus never stops a cluster it merely reused, even when its
 * "is it running" probe said no on a busy machine and it called `up` anyway.
 */
function startedByFile(name: string): string {
  return join(hostLayout(name).root, "started-by");
}

export async function hostClusterMain(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: "string", default: "meshproof" }, "sandbox-image": { type: "string" }, "started-by": { type: "string" }, "if-started-by": { type: "string" }, json: { type: "boolean", default: false } },
  });
  const [command] = positionals;
  const name = values.name ?? "meshproof";
  if (!CLUSTER_NAME_PATTERN.test(name)) {
    process.stderr.write(`host-cluster: --name must be lower case letters, digits and '-' (at most 31)\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`host-cluster ${name}: ${line}\n`);
  switch (command) {
    case "up": {
      const r = await up({ name, log, ...(values["sandbox-image"] ? { sandboxImage: values["sandbox-image"] } : {}) });
      // Restarting a daemon that stopped answering (CoreDNS, containerd) is not starting the cluster.
      if (r.started.includes("kube-apiserver") && values["started-by"]) writeFileSync(startedByFile(name), `${values["started-by"]}\n`);
      process.stdout.write(values.json ? JSON.stringify(r) + "\n" : `host cluster ${name} ${r.reused ? "already running" : `started in ${r.seconds.toFixed(1)} s`}: kubectl --context ${r.context} (kubeconfig also at ${r.kubeconfig})\n`);
      return 0;
    }
    case "down": {
      const owner = values["if-started-by"];
      if (owner !== undefined) {
        const startedBy = existsSync(startedByFile(name)) ? readFileSync(startedByFile(name), "utf8").trim() : undefined;
        if (startedBy !== owner) {
          process.stdout.write(`host cluster ${name}: left running (run ${owner} did not start it${startedBy ? `; ${startedBy} did` : ""})\n`);
          return 0;
        }
      }
      const r = await down({ name, log });
      process.stdout.write(values.json ? JSON.stringify(r) + "\n" : `host cluster ${name}: stopped ${r.stopped.length} daemons and removed its state in ${r.seconds.toFixed(1)} s${r.problems.length ? `; problems:\n  ${r.problems.join("\n  ")}` : ""}\n`);
      return r.problems.length > 0 ? 1 : 0;
    }
    case "status": {
      const s = await status(name);
      if (values.json) process.stdout.write(JSON.stringify(s) + "\n");
      else {
        process.stdout.write(`host cluster ${name} (context ${s.context}, state ${s.stateDir}); egress guard drops: ${s.guardDrops ?? "not installed"}\n`);
        for (const d of s.daemons) process.stdout.write(`  ${d.name.padEnd(24)} ${d.pid ? `pid ${d.pid}`.padEnd(10) : "stopped".padEnd(10)} ${d.ready ? "ready" : "-".padEnd(5)} ${d.rssMiB !== undefined ? `${d.rssMiB} MiB` : ""}\n`);
        process.stdout.write(`  total resident memory: ${s.totalRssMiB} MiB\n`);
      }
      return s.daemons.every((d) => d.ready) ? 0 : 3;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

if (process.argv[1]?.endsWith("src/cluster/host/main.ts")) {
  hostClusterMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      const hint = err instanceof MeshproofError && err.hint ? `\n  ${err.hint}` : "";
      process.stderr.write(`host-cluster: ${errorMessage(err)}${hint}\n`);
      process.exit(err instanceof MeshproofError ? err.exitCode : 1);
    },
  );
}
