/**
 * `npm run bench`: every benchmark in scripts/bench/, one after the other (they would distort
 * each other's figures on two cores), each in its own process. Benchmarks print figures; they
 * are not tests and never fail on a number.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, "bench");
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n=== ${file.replace(/\.ts$/, "")} ===\n`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, file)], { stdio: "inherit" });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) failed += 1;
  process.stdout.write(`--- ${file} ${run.status === 0 ? "finished" : `FAILED (exit ${run.status})`} in ${seconds}s\n`);
}
process.exit(failed > 0 ? 1 : 0);
