/**
 * The reference stack on the `local` cluster: one llm-sim process per version on loopback, and
 * optionally a Prometheus scraping them; no Kubernetes and no mesh. Described as data (argv,
 * readiness URL, port) so the plan shows the exact commands; the executor starts them as
 * ProcessSteps.
 */
import { join, resolve } from "node:path";
import { simArgv } from "../../fixtures/llm-sim/src/index.js";
import type { ProcessStep } from "../plan/steps.js";
import { TIMEOUTS } from "../core/timeouts.js";
import type { Target } from "../mesh/intent.js";
import { freePort, prometheusArgv, prometheusConfigYaml, type ScrapeTarget } from "../metrics/index.js";
import { runLabels } from "./labels.js";
import { SIM_APP, SIM_SERVICE, simDeploymentName, simFlags, VERSION_LABEL, type SimSettings } from "./sim-workload.js";

// The CLI builds images next to the local stack's choices; they live with the sim's workload.
export { SIM_IMAGE, SIM_IMAGE_BUILD } from "./sim-workload.js";

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
  /**
   * A Prometheus binary: adds a Prometheus process that scrapes every sim, its config and TSDB
   * under `<runDir>/prometheus` (so runDir is then required).
   */
  prometheus?: string;
  /** The run's folder; the local Prometheus' files go under it. */
  runDir?: string;
  /** Defaults to a free port. */
  prometheusPort?: number;
  /** Defaults to 1 s: local runs are short, and every scrape is cheap on loopback. */
  scrapeIntervalSeconds?: number;
}

export interface LocalPrometheus {
  url: string;
  port: number;
  dataDir: string;
  configPath: string;
  /** Written to configPath by the start-prometheus step (its `files`), when it runs. */
  configYaml: string;
  argv: string[];
  readyUrl: string;
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
  /** Present when a Prometheus binary was given. */
  prometheus?: LocalPrometheus;
  /** The plan steps that bring the stack up: the sims, then Prometheus (localStackSteps). */
  setup: ProcessStep[];
}

const LOCAL_SCRAPE_INTERVAL_SECONDS = 1;

/**
 * The local stack with a free port for every version not given one. Ports are picked now, at plan
 * time, so the plan shows them; a port taken in between makes that sim fail to start, with the
 * port in its error.
 */
export async function localStack(opts: LocalStackOptions): Promise<LocalStack> {
  const taken = new Set<number>(Object.values(opts.ports ?? {}));
  if (opts.prometheusPort !== undefined) taken.add(opts.prometheusPort);
  // Two servers must not be handed the same port the kernel recycled.
  const pick = async () => {
    let port = await freePort(LOOPBACK);
    while (taken.has(port)) port = await freePort(LOOPBACK);
    taken.add(port);
    return port;
  };
  const ports: Record<string, number> = { ...opts.ports };
  for (const version of opts.versions) ports[version] ??= await pick();
  const prometheusPort = opts.prometheus === undefined ? undefined : (opts.prometheusPort ?? (await pick()));
  const stack = localStackWithPorts({ ...opts, ports, ...(prometheusPort === undefined ? {} : { prometheusPort }) });
  return stack;
}

/** The local stack for fixed ports: pure, for planners that chose the ports already. */
export function localStackWithPorts(opts: LocalStackOptions & { ports: Record<string, number> }): LocalStack {
  if (opts.prometheus !== undefined && (opts.runDir === undefined || opts.prometheusPort === undefined)) {
    throw new Error("a local Prometheus needs the run folder (runDir) and a port (prometheusPort) to be planned with fixed ports");
  }
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
  const scrapeTargets = processes.map((p) => ({ job: SIM_APP, targets: [`${LOOPBACK}:${p.port}`], labels: { [VERSION_LABEL]: p.version } }));
  const prometheus =
    opts.prometheus !== undefined && opts.runDir !== undefined && opts.prometheusPort !== undefined
      ? localPrometheus(opts.prometheus, opts.runDir, opts.prometheusPort, scrapeTargets, opts.scrapeIntervalSeconds ?? LOCAL_SCRAPE_INTERVAL_SECONDS)
      : undefined;
  const stack: Omit<LocalStack, "setup"> = {
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
    scrapeTargets,
    ...(prometheus ? { prometheus } : {}),
  };
  return { ...stack, setup: localStackSteps(stack) };
}

function localPrometheus(binary: string, runDir: string, port: number, scrapeTargets: ScrapeTarget[], intervalSeconds: number): LocalPrometheus {
  const dataDir = join(resolve(runDir), "prometheus");
  const configPath = join(dataDir, "prometheus.yml");
  const url = `http://${LOOPBACK}:${port}`;
  return {
    url,
    port,
    dataDir,
    configPath,
    configYaml: prometheusConfigYaml(scrapeTargets, intervalSeconds),
    argv: prometheusArgv({ binary, configPath, dataDir, port }),
    readyUrl: `${url}/-/ready`,
  };
}

/** The plan steps that start the local stack: one per version (ready at /health/ready), then Prometheus. */
export function localStackSteps(stack: Pick<LocalStack, "processes" | "prometheus">, timeoutMs: number = TIMEOUTS.processReady): ProcessStep[] {
  const steps: ProcessStep[] = stack.processes.map((p) => ({
    kind: "process",
    id: `start-${p.role}`,
    name: `start llm-sim ${p.version} on port ${p.port}`,
    timeoutMs,
    role: p.role,
    argv: p.argv,
    env: p.env,
    readyUrl: p.readyUrl,
  }));
  if (stack.prometheus) {
    steps.push({
      kind: "process",
      id: "start-prometheus",
      name: `start Prometheus on port ${stack.prometheus.port}, scraping every sim`,
      timeoutMs,
      role: "prometheus",
      argv: stack.prometheus.argv,
      readyUrl: stack.prometheus.readyUrl,
      // Prometheus reads its config at start: the executor writes it then, planning writes nothing.
      files: [{ path: stack.prometheus.configPath, content: stack.prometheus.configYaml }],
    });
  }
  return steps;
}
