/**
 * Ctrl-C during a real local run: the run stops, every process it started is stopped, what it
 * measured so far is written, and the exit code says it was interrupted.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

async function refuses(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe("interrupting a run", () => {
  it("stops the load generator, llm-sim and Prometheus, writes results and exits 130", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "meshproof-interrupt-"));
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "scenario", "benchmark", "--cluster", "local", "--mesh", "none", "--duration", "60s", "--out", out], {
      cwd: ROOT,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const urls: string[] = [];
    const loadStarted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the load never started:\n${stderr}`)), 60_000);
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        for (const m of stderr.matchAll(/on port (\d+)/g)) if (!urls.includes(`http://127.0.0.1:${m[1]}/`)) urls.push(`http://127.0.0.1:${m[1]}/`);
        if (/… none \/ benchmark: drive/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await loadStarted;
    // Let the load generator get going, then interrupt as a user would.
    await new Promise((r) => setTimeout(r, 3000));
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 60_000))]);
    if (code === "hung") child.kill("SIGKILL");

    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping; cleaning up/);
    expect(urls.length).toBe(3);
    for (const url of urls) expect(await refuses(url)).toBe(true);
    const [runId] = readdirSync(out);
    expect(existsSync(path.join(out, runId!, "results.json"))).toBe(true);
    const results = JSON.parse(readFileSync(path.join(out, runId!, "results.json"), "utf8"));
    expect(results.options.loadEngine).toBe("builtin");
    expect(results.tools.map((t: { name: string }) => t.name)).toContain("loadgen");
  }, 150_000);
});
