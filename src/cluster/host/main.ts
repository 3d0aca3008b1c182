/**
 * `tsx src/cluster/host/main.ts up|down|status --name NAME`: the host cluster's own command,
 * which the `host` provider's plan steps call (so --dry-run shows the start and the stop as
 * commands), and which a user can run by hand to keep a cluster between runs.
 */
import { parseArgs } from "node:util";
import { MeshproofError, errorMessage } from "../../engine/errors.js";
import { down, status, up } from "./lifecycle.js";
import { CLUSTER_NAME_PATTERN } from "./settings.js";

const USAGE = "usage: host-cluster up|down|status [--name NAME] [--sandbox-image IMAGE] [--json]";

export async function hostClusterMain(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: "string", default: "meshproof" }, "sandbox-image": { type: "string" }, json: { type: "boolean", default: false } },
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
      process.stdout.write(values.json ? JSON.stringify(r) + "\n" : `host cluster ${name} ${r.reused ? "already running" : `started in ${r.seconds.toFixed(1)} s`}: kubectl --context ${r.context} (kubeconfig also at ${r.kubeconfig})\n`);
      return 0;
    }
    case "down": {
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
