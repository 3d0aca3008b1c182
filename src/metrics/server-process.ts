/**
 * A local server process (Prometheus, the Pushgateway) started, waited on until its readiness URL
 * answers, and stopped. Kept apart from what each server needs on its command line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** How much of a server's output an error message quotes. */
const OUTPUT_TAIL_CHARS = 4000;
/** Grace period between SIGTERM and SIGKILL when stopping. */
const STOP_GRACE_MS = 5_000;
const READY_POLL_INTERVAL_MS = 100;
/** A single readiness probe may hang on a half-started server; it never blocks the whole wait. */
const READY_PROBE_TIMEOUT_MS = 2_000;

export interface ServerProcess {
  readonly pid: number;
  /** Last lines the server wrote (stdout and stderr interleaved), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
}

/** The server exited, or never answered, before it was ready. */
export class ServerStartError extends Error {
  constructor(
    message: string,
    /** True when the output says the listen address was taken: retry on another port. */
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = "ServerStartError";
  }
}

export interface StartServerOptions {
  /** Human name for messages: "Prometheus". */
  what: string;
  argv: [string, ...string[]];
  readyUrl: string;
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
}

export async function startServer(opts: StartServerOptions): Promise<ServerProcess> {
  const [command, ...args] = opts.argv;
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
  });

  const server: ServerProcess = {
    pid: child.pid ?? -1,
    output: () => tail,
    stop: () => stopChild(child, exited),
  };

  const stopPolling = new AbortController();
  const ready = await Promise.race([
    waitForHttpOk(opts.readyUrl, opts.timeoutMs, stopPolling.signal).then((ok) => ({ kind: "ready" as const, ok })),
    exited.then((exit) => ({ kind: "exited" as const, exit })),
  ]);
  stopPolling.abort();

  if (ready.kind === "exited") {
    const { code, signal, error } = ready.exit;
    const how = error ? `could not start (${error.message})` : `exited with ${signal ?? `code ${code}`}`;
    throw new ServerStartError(
      `${opts.what} ${how} before ${opts.readyUrl} answered.\ncommand: ${opts.argv.join(" ")}\noutput:\n${tail || "(none)"}`,
      /address already in use/i.test(tail),
    );
  }
  if (!ready.ok) {
    await server.stop();
    throw new ServerStartError(
      `${opts.what} did not answer ${opts.readyUrl} with 2xx within ${opts.timeoutMs} ms (timeout "${opts.what} ready"); ` +
        `it was stopped.\ncommand: ${opts.argv.join(" ")}\noutput:\n${tail || "(none)"}`,
      /address already in use/i.test(tail),
    );
  }
  return server;
}

/** Poll until `url` answers 2xx (true) or the deadline passes (false). Refused connections are "not yet". */
async function waitForHttpOk(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
      await res.body?.cancel();
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(READY_POLL_INTERVAL_MS);
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const grace = new AbortController();
  const graceful = await Promise.race([
    exited.then(() => true),
    sleep(STOP_GRACE_MS, false, { signal: grace.signal }).catch(() => false),
  ]);
  // Cancel the grace timer, or it would keep the caller's event loop alive for its full length.
  grace.abort();
  if (!graceful) {
    child.kill("SIGKILL");
    await exited;
  }
}
