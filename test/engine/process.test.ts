/**
 * The one process layer: commands run to their end with limits and signals, their failures say
 * what ran and what it said, a missing program is exit 4 with what to install, and daemons run
 * detached. Real processes (node, sh), nothing mocked.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/analysis/verdict.js";
import { CommandError, EXIT_TIMED_OUT, run, runChecked, startDaemon } from "../../src/core/process.js";

const NODE = process.execPath;
const ROOT = path.resolve(import.meta.dirname, "../..");

describe("run", () => {
  it("returns exit code, stdout and stderr, with input on stdin and lines as they come", async () => {
    const lines: string[] = [];
    const r = await run([NODE, "-e", "process.stdin.pipe(process.stdout); console.error('to stderr'); process.stdin.on('end', () => process.exit(3))"], {
      timeoutMs: 30_000,
      input: "first\nsecond\n",
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe("first\nsecond\n");
    expect(r.stderr).toContain("to stderr");
    expect(lines).toEqual(expect.arrayContaining(["stdout:first", "stdout:second", "stderr:to stderr"]));
    expect(r.timedOut).toBe(false);
  }, 60_000);

  it("reports a command past its limit as exit 124, saying so on stderr", async () => {
    const r = await run([NODE, "-e", "setInterval(() => {}, 1000)"], { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(EXIT_TIMED_OUT);
    expect(r.stderr).toMatch(/timed out after 500ms/);
  }, 60_000);

  // Stopped once the child says it is listening for the signal: no race with its start-up.
  it("stops with the chosen signal, so a program can still write its results", async () => {
    const abort = new AbortController();
    const r = await run([NODE, "-e", "process.on('SIGINT', () => { console.log('summary'); process.exit(0) }); setInterval(() => {}, 1000); console.log('ready')"], {
      timeoutMs: 120_000,
      signal: abort.signal,
      stopWith: "SIGINT",
      graceMs: 60_000,
      onLine: (line) => line === "ready" && abort.abort(),
    });
    expect(r.aborted).toBe(true);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("summary");
  }, 150_000);

  it("kills a command that ignores the stop signal once the grace period is over", async () => {
    const abort = new AbortController();
    const r = await run([NODE, "-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"], {
      timeoutMs: 120_000,
      signal: abort.signal,
      graceMs: 500,
      onLine: (line) => line === "ready" && abort.abort(),
    });
    expect(r.aborted).toBe(true);
    expect(r.signal).toBe("SIGKILL");
  }, 150_000);

  it("stops on abort and settles only once the process is gone", async () => {
    const abort = new AbortController();
    const pending = run([NODE, "-e", "setInterval(() => {}, 1000); console.log(process.pid)"], { timeoutMs: 60_000, signal: abort.signal, onLine: () => abort.abort() });
    const r = await pending;
    expect(r.aborted).toBe(true);
    const pid = Number(r.stdout.trim());
    expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);

  it("writes stdout to a file when asked, and keeps nothing of it in memory", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "meshproof-run-")), "out.txt");
    const r = await run([NODE, "-e", "for (let i = 0; i < 1000; i++) console.log(i)"], { timeoutMs: 30_000, stdoutFile: file });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(file, "utf8").split("\n")[999]).toBe("999");
  }, 60_000);

  it("says what to install when the program does not exist (exit 4), for tools in the table and others", async () => {
    await expect(run(["kubectl-that-does-not-exist"], { timeoutMs: 5_000 })).rejects.toMatchObject({ exitCode: EXIT.environment, message: expect.stringMatching(/is not installed/) });
    await expect(run(["/nonexistent/kubectl", "version"], { timeoutMs: 5_000 })).rejects.toMatchObject({ exitCode: EXIT.environment, hint: expect.stringMatching(/KUBECTL_BIN/) });
  });

  it("runChecked throws a CommandError naming the step, the argv, what the exit code means and the stderr tail", async () => {
    const failing = runChecked([NODE, "-e", "console.error('disk full'); process.exit(7)"], { timeoutMs: 30_000, step: "writing the image" });
    await expect(failing).rejects.toBeInstanceOf(CommandError);
    await expect(failing).rejects.toThrow(/writing the image failed \(exit code 7\): .*node -e[\s\S]*disk full/);
    await expect(failing).rejects.toMatchObject({ exitCode: EXIT.environment });
  }, 60_000);
});

describe("startDaemon", () => {
  it("starts a detached process in its own session with its output in the log file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "meshproof-daemon-"));
    const logFile = path.join(dir, "d.log");
    const pid = startDaemon([NODE, "-e", "console.log('up', process.pid); setTimeout(() => {}, 60000)"], { logFile });
    try {
      let log = "";
      for (let i = 0; i < 100 && !log.includes("up"); i++) {
        await sleep(100);
        log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
      }
      expect(log).toContain(`up ${pid}`);
      // Its own session: the session id (field 6 of /proc/<pid>/stat) is its own pid.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3])).toBe(pid);
    } finally {
      process.kill(pid, "SIGKILL");
    }
  }, 60_000);
});

describe("one process layer", () => {
  it("no module of src/ or scripts/setup outside src/core/process.ts starts a process by itself", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith(".ts") && /from "node:child_process"|from "zx"|import\("zx"\)/.test(readFileSync(file, "utf8"))) offenders.push(path.relative(ROOT, file));
      }
    };
    walk(path.join(ROOT, "src"));
    walk(path.join(ROOT, "scripts/setup"));
    expect(offenders).toEqual(["src/core/process.ts"]);
  });
});
