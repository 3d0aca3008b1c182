/**
 * What the mesh setup modules share: running a command with a limit, hashing files, and the
 * one kind of failure setup reports (exit 4, one line saying what to do).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { errorMessage } from "../../src/core/errors.js";
import { run } from "../../src/core/process.js";
import { ToolMissingError, type ToolName } from "../../src/core/tools.js";
import { SetupError } from "./errors.js";

/** Long enough for a cold Go build of Kubernetes or Istio on two busy cores. */
const DEFAULT_COMMAND_TIMEOUT_MS = 60 * 60_000;

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Run argv (no shell); with `echo`, its output also streams to our stderr (go's build lines). */
export async function runCommand(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; echo?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  // Interleaved as printed: a failing build's last lines are what setup quotes.
  let output = "";
  try {
    const result = await run(argv, {
      timeoutMs,
      graceMs: 0,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onLine: (line) => {
        output += `${line}\n`;
        if (options.echo) process.stderr.write(`${line}\n`);
      },
    });
    if (result.timedOut) return { code: null, output: `${output}\n(stopped after the ${Math.round(timeoutMs / 1000)} s limit)` };
    return { code: result.signal ? null : result.exitCode, output };
  } catch (error) {
    return { code: null, output: errorMessage(error) };
  }
}

/** The module version the wrapper's go.mod requires, so the two pins cannot drift apart unseen. */
export function requiredVersion(goMod: string, module: string): string | undefined {
  const escaped = module.replace(/[.]/g, "\\.");
  return new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod)?.[1];
}

export function lastLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .filter((line) => line.trim())
      .pop() ?? ""
  );
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** An environment problem setup cannot fix itself: exit 4 with `problem: what to do`. */
export function setupFailure(tool: ToolName, problem: string, whatToDo: string): ToolMissingError {
  return new ToolMissingError(tool, whatToDo, problem);
}

/** One line of progress, in the shape setup.ts prints its own steps. */
export function report(label: string, outcome: string, started: number, detail: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${label}: ${outcome} in ${seconds} s (${detail})`);
}

export function onPath(program: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin"]).some((dir) => dir && existsSync(join(dir, program)));
}

/** Whether a Debian package is installed (dpkg's view, not a guess from PATH). */
export async function debianPackageInstalled(pkg: string): Promise<boolean> {
  const query = await runCommand(["dpkg-query", "-W", "-f=${Status}", pkg], { timeoutMs: 30_000 });
  return query.output.includes("install ok installed");
}

/** apt-get update runs at most once per setup: the first install that needs it pays for it. */
let aptListsUpdated = false;

/**
 * Install Debian packages with apt-get, as root or through password-less sudo. A fresh
 * machine's package lists may be empty or stale, so a failed install updates them once and
 * tries again. `manual` says what the user can do instead; it ends every failure message.
 */
export async function aptInstall(packages: readonly string[], manual: string): Promise<void> {
  if (packages.length === 0) return;
  if (!onPath("apt-get")) throw new SetupError(`this system has no apt-get: ${manual}`);
  let prefix: string[] = [];
  if (process.getuid?.() !== 0) {
    const sudo = onPath("sudo") && (await runCommand(["sudo", "-n", "true"], { timeoutMs: 10_000 })).code === 0;
    if (!sudo) throw new SetupError(`installing ${packages.join(", ")} needs root (no password-less sudo): ${manual}`);
    prefix = ["sudo", "-n"];
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  // Another apt (an unattended upgrade, a parallel setup) may hold the lock for a while.
  const install = () => runCommand([...prefix, "apt-get", "install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", ...packages], { env, echo: true, timeoutMs: 30 * 60_000 });
  let result = await install();
  if (result.code !== 0 && !aptListsUpdated) {
    const update = await runCommand([...prefix, "apt-get", "update"], { env, echo: true, timeoutMs: 15 * 60_000 });
    if (update.code !== 0) throw new SetupError(`apt-get update failed (${lastLine(update.output)}): ${manual}`);
    aptListsUpdated = true;
    result = await install();
  }
  if (result.code !== 0) throw new SetupError(`apt-get install ${packages.join(" ")} failed (${lastLine(result.output)}): ${manual}`);
}
