/**
 * Prometheus and the Pushgateway as local processes (cluster `local`, and tests). The argv
 * builders are pure so the local cluster provider can put the same command into a ProcessStep;
 * the start functions run it and wait for the server's readiness endpoint.
 *
 * Flags checked against `prometheus --help` of 2.42 and `prometheus-pushgateway --help` of 1.5.
 * Both default to writing under /var/lib/prometheus; every path is set explicitly so a run
 * writes only inside its own data directory.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { freePort } from "./free-port.js";
import { prometheusConfigYaml, type ScrapeTarget } from "./prometheus-config.js";
import { ServerStartError, startServer, type ServerProcess } from "../core/process.js";

const LOOPBACK = "127.0.0.1";
export const DEFAULT_SERVER_READY_TIMEOUT_MS = 30_000;
/** A port taken between choosing it and binding it is retried on a fresh one, this many times. */
const PORT_ATTEMPTS = 3;
/** Local runs are short; keeping a day bounds the disk a forgotten data directory can use. */
const LOCAL_RETENTION = "1d";

export interface PrometheusArgvOptions {
  binary: string;
  configPath: string;
  dataDir: string;
  port: number;
  /** Defaults to 127.0.0.1: servers started by meshproof never listen beyond the machine. */
  host?: string;
}

export function prometheusArgv(opts: PrometheusArgvOptions): [string, ...string[]] {
  const dataDir = resolve(opts.dataDir);
  return [
    opts.binary,
    `--config.file=${resolve(opts.configPath)}`,
    `--web.listen-address=${opts.host ?? LOOPBACK}:${opts.port}`,
    // The TSDB (and its queries.active log) default to /var/lib/prometheus/metrics2/.
    `--storage.tsdb.path=${join(dataDir, "tsdb")}`,
    `--storage.tsdb.retention.time=${LOCAL_RETENTION}`,
    "--log.level=warn",
  ];
}

export interface PushgatewayArgvOptions {
  binary: string;
  port: number;
  host?: string;
  /**
   * Where to persist pushed metrics across restarts. Omitted: kept in memory only. The
   * Pushgateway's default is a file under /var/lib/prometheus, which must never be used.
   */
  persistenceFile?: string;
}

export function pushgatewayArgv(opts: PushgatewayArgvOptions): [string, ...string[]] {
  return [
    opts.binary,
    `--web.listen-address=${opts.host ?? LOOPBACK}:${opts.port}`,
    `--persistence.file=${opts.persistenceFile ? resolve(opts.persistenceFile) : ""}`,
    "--log.level=warn",
  ];
}

export interface StartPrometheusOptions {
  binary: string;
  scrapeTargets: ScrapeTarget[];
  scrapeIntervalSeconds?: number;
  /** Holds the config file and the TSDB; created if missing. */
  dataDir: string;
  /** Named timeout "Prometheus ready": how long /-/ready may take to answer. */
  timeoutMs?: number;
}

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:39123 (no trailing slash). */
  url: string;
  configPath: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<RunningPrometheus> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const configPath = join(dataDir, "prometheus.yml");
  await writeFile(configPath, prometheusConfigYaml(opts.scrapeTargets, opts.scrapeIntervalSeconds));
  const { server, url } = await startOnFreePort("Prometheus", opts.timeoutMs, (port) => ({
    argv: prometheusArgv({ binary: opts.binary, configPath, dataDir, port }),
    readyPath: "/-/ready",
  }));
  return { url, configPath, pid: server.pid, stop: () => server.stop() };
}

export interface StartPushgatewayOptions {
  binary: string;
  /** Named timeout "Pushgateway ready". */
  timeoutMs?: number;
  persistenceFile?: string;
}

export interface RunningPushgateway {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startPushgateway(opts: StartPushgatewayOptions): Promise<RunningPushgateway> {
  const { server, url } = await startOnFreePort("Pushgateway", opts.timeoutMs, (port) => ({
    argv: pushgatewayArgv({ binary: opts.binary, port, persistenceFile: opts.persistenceFile }),
    readyPath: "/-/ready",
  }));
  return { url, pid: server.pid, stop: () => server.stop() };
}

async function startOnFreePort(
  what: string,
  timeoutMs: number | undefined,
  command: (port: number) => { argv: [string, ...string[]]; readyPath: string },
): Promise<{ server: ServerProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(LOOPBACK);
    const url = `http://${LOOPBACK}:${port}`;
    const { argv, readyPath } = command(port);
    try {
      const server = await startServer({ what, argv, readyUrl: `${url}${readyPath}`, timeoutMs: timeoutMs ?? DEFAULT_SERVER_READY_TIMEOUT_MS });
      return { server, url };
    } catch (err) {
      if (err instanceof ServerStartError && err.addressInUse && attempt < PORT_ATTEMPTS) continue;
      throw err;
    }
  }
}
