/**
 * The reference stack on the `local` cluster: one llm-sim process per version on loopback, no
 * Kubernetes and no mesh. Described as data (argv, readiness URL, port) so the plan shows the
 * exact commands; the executor starts them as ProcessSteps.
 */
import { simArgv } from "../../fixtures/llm-sim/src/index.js";
import type { ProcessStep } from "../engine/plan.js";
import { TIMEOUTS } from "../engine/timeouts.js";
import type { Target } from "../mesh/intent.js";
import { freePort, type ScrapeTarget } from "../metrics/index.js";
import { runLabels } from "./labels.js";
import { SIM_APP, SIM_SERVICE, simDeploymentName, simFlags, VERSION_LABEL, type SimSettings } from "./sim-workload.js";

const LOOPBACK = "127.0.0.1";
/** There is no namespace locally; drivers and queries that want one get this. */
export const LOCAL_NAMESPACE = "local";

export interface LocalStackOptions {
  runId: string;
  /** Stable first. */
  versions: string[];
  /** Port per version; versions left out get a free port. */
  ports?: Record<string, number>;
  sim?: SimSettings;
}

export interface LocalProcess {
  /** llm-sim-<version>, also the name of its log file. */
  role: string;
  version: string;
  argv: string[];
  env: Record<string, string>;
  readyUrl: string;
  port: number;
}

export interface LocalStack {
  processes: LocalProcess[];
  target: Target;
  /** Base URL per version. Nothing balances across versions locally: load goes to one of them. */
  urls: Record<string, string>;
  /** The URL load is sent to: the first (stable) version's. */
  targetUrl: string;
  /** What a local Prometheus scrapes: each sim's /metrics, labelled with its version. */
  scrapeTargets: ScrapeTarget[];
}

/**
 * The local stack with a free port for every version not given one. Ports are picked now, at plan
 * time, so the plan shows them; a port taken in between makes that sim fail to start, with the
 * port in its error.
 */
export async function localStack(opts: LocalStackOptions): Promise<LocalStack> {
  const ports: Record<string, number> = { ...opts.ports };
  for (const version of opts.versions) {
    if (ports[version] === undefined) {
      let port = await freePort(LOOPBACK);
      // Two versions must not be handed the same port the kernel recycled.
      while (Object.values(ports).includes(port)) port = await freePort(LOOPBACK);
      ports[version] = port;
    }
  }
  return localStackWithPorts({ ...opts, ports });
}

/** The local stack for fixed ports: pure, for planners that chose the ports already. */
export function localStackWithPorts(opts: LocalStackOptions & { ports: Record<string, number> }): LocalStack {
  if (opts.versions.length === 0) throw new Error("the local stack needs at least one version (e.g. stable)");
  if (new Set(opts.versions).size !== opts.versions.length) throw new Error(`versions repeat: ${opts.versions.join(", ")}`);
  const seen = new Map<number, string>();
  const processes = opts.versions.map((version): LocalProcess => {
    const port = opts.ports[version];
    if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new Error(`version ${version} needs a port between 1 and 65535, got ${port}`);
    }
    const other = seen.get(port);
    if (other !== undefined) throw new Error(`versions ${other} and ${version} are both given port ${port}`);
    seen.set(port, version);
    return {
      role: simDeploymentName(version),
      version,
      argv: simArgv(simFlags(version, port, opts.sim ?? {}, LOOPBACK)),
      env: {},
      readyUrl: `http://${LOOPBACK}:${port}/health/ready`,
      port,
    };
  });
  const urls = Object.fromEntries(processes.map((p) => [p.version, `http://${LOOPBACK}:${p.port}`]));
  const first = processes[0]!;
  return {
    processes,
    target: {
      namespace: LOCAL_NAMESPACE,
      service: SIM_SERVICE,
      port: first.port,
      versionLabel: VERSION_LABEL,
      versions: [...opts.versions],
      selector: { app: SIM_APP },
      labels: runLabels(opts.runId),
    },
    urls,
    targetUrl: urls[first.version]!,
    scrapeTargets: processes.map((p) => ({ job: SIM_APP, targets: [`${LOOPBACK}:${p.port}`], labels: { [VERSION_LABEL]: p.version } })),
  };
}

/** The plan steps that start the local stack, one per version, each ready when /health/ready answers. */
export function localStackSteps(stack: LocalStack, timeoutMs: number = TIMEOUTS.processReady): ProcessStep[] {
  return stack.processes.map((p) => ({
    kind: "process",
    id: `start-${p.role}`,
    name: `start llm-sim ${p.version} on port ${p.port}`,
    timeoutMs,
    role: p.role,
    argv: p.argv,
    env: p.env,
    readyUrl: p.readyUrl,
  }));
}
