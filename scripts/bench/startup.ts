/**
 * Start-up figures of the command line: `scenario --help`, a usage error (an unknown scenario)
 * and the nightly suite's dry-run on both meshes, each the median of a few runs, as the npm
 * scripts run them (scripts/launch.mjs: the compiled tree when current), from the sources
 * through tsx (what the scripts ran before there was a build, and still run after an edit), and
 * through `npm run -s`. Wall time depends on how busy the machine is, so the load average and
 * the CPU time (this process's children, from /proc on Linux) are printed beside it.
 * Prints figures; never fails on a number. Run: npm run bench -- startup.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { staleBecause } from "../launch.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RUNS = { quick: 5, dryRun: 3 };

/** CPU seconds of this process's waited-for children so far (Linux), or undefined. */
function childCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100; // clock ticks of 1/100 s on Linux
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(argv: string[], runs: number, expectCode: number): { wall: number; cpu: number | undefined } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuBefore = childCpuSeconds();
    const started = performance.now();
    const run = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    walls.push((performance.now() - started) / 1000);
    const cpuAfter = childCpuSeconds();
    if (cpuBefore !== undefined && cpuAfter !== undefined) cpus.push(cpuAfter - cpuBefore);
    if (run.status !== expectCode) throw new Error(`${argv.join(" ")} exited ${run.status}, not ${expectCode}:\n${run.stderr}`);
  }
  return { wall: median(walls), cpu: cpus.length === runs ? median(cpus) : undefined };
}

function main(): void {
  const out = mkdtempSync(path.join(os.tmpdir(), "meshproof-bench-startup-"));
  const stale = staleBecause();
  const launcher = [process.execPath, "scripts/launch.mjs", "src/cli/main.ts"];
  const sources = [process.execPath, "--import", "tsx", "src/cli/main.ts"];
  const npm = ["npm", "run", "-s"];
  const commands = [
    { name: "scenario --help", args: ["scenario", "--help"], npm: ["scenario", "--", "--help"], code: 0, runs: RUNS.quick },
    { name: "scenario nosuch (usage error)", args: ["scenario", "nosuch"], npm: ["scenario", "--", "nosuch"], code: 2, runs: RUNS.quick },
    { name: "suite nightly --mesh both --dry-run", args: ["suite", "nightly", "--mesh", "both", "--dry-run", "--out", out], npm: ["suite", "--", "nightly", "--mesh", "both", "--dry-run", "--out", out], code: 0, runs: RUNS.dryRun },
  ];
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs; the compiled tree is ${stale ? `not used: ${stale} (npm run build)` : "current"}`);
  console.log(`${"command".padEnd(38)}${"launcher".padStart(18)}${"tsx (sources)".padStart(18)}${"npm run -s".padStart(18)}`);
  const cell = (m: { wall: number; cpu: number | undefined }) => `${m.wall.toFixed(2)} s${m.cpu !== undefined ? ` (${m.cpu.toFixed(2)} cpu)` : ""}`.padStart(18);
  try {
    for (const c of commands) {
      const viaLauncher = measure([...launcher, ...c.args], c.runs, c.code);
      const viaTsx = measure([...sources, ...c.args], c.runs, c.code);
      const viaNpm = measure([...npm, ...c.npm], c.runs, c.code);
      console.log(`${c.name.padEnd(38)}${cell(viaLauncher)}${cell(viaTsx)}${cell(viaNpm)}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`medians of ${RUNS.quick} runs (${RUNS.dryRun} for the dry-run); cpu = user + system seconds of the process tree`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
