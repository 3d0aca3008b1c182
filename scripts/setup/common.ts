/**
 * What the mesh setup modules share: running a command with a limit, hashing files, and the
 * one kind of failure setup reports (exit 4, one line saying what to do).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { ToolMissingError, type ToolName } from "../../src/engine/tools.js";

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Run argv (no shell); with `echo`, its output also streams to our stderr (go's build lines). */
export function runCommand(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; echo?: boolean; timeoutMs: number },
): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error("empty command");
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs,
      killSignal: "SIGKILL",
    });
    let output = "";
    const take = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (options.echo) process.stderr.write(chunk);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (error) => resolve({ code: null, output: error.message }));
    child.on("close", (code, signal) =>
      resolve({ code, output: signal ? `${output}\n(stopped by ${signal} after the ${Math.round(options.timeoutMs / 1000)} s limit)` : output }),
    );
  });
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
