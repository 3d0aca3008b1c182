/**
 * Exact sample-size plans take a second or two to compute for a whole suite, and are pure
 * functions of their inputs. They are kept in the user's cache between runs so a dry-run of
 * the nightly suite stays well under two seconds. The file is keyed by a hash of the analysis
 * sources: any change to how plans are computed starts a fresh cache.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { repoPath } from "../core/repo.js";
import { planMemo, type LatencyPlan, type ProportionPlan } from "./planner.js";

const SOURCES = ["planner.ts", "sequential.ts", "proportion.ts", "special.ts", "distribution.ts", "sprt.ts", "sprt-plan.ts"];

function cacheFile(): string {
  // The TypeScript sources, also when this runs compiled: both ways must find the cache setup filled.
  const here = repoPath("src", "analysis");
  const hash = createHash("sha256");
  for (const name of SOURCES) {
    try {
      hash.update(readFileSync(path.join(here, name)));
    } catch {
      hash.update(`missing:${name}`);
    }
  }
  const root = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(root, "meshproof", "plans", `plans-${hash.digest("hex").slice(0, 16)}.json`);
}

interface CacheFile {
  proportion: [string, ProportionPlan][];
  latency: [string, LatencyPlan][];
}

let loadedCount = 0;

/** Load cached plans into the planner's memo; a missing or unreadable cache is just empty. */
export function loadPlanCache(): void {
  try {
    const data = JSON.parse(readFileSync(cacheFile(), "utf8")) as CacheFile;
    const memo = planMemo();
    for (const [k, v] of data.proportion) memo.proportion.set(k, v);
    for (const [k, v] of data.latency) memo.latency.set(k, v);
    loadedCount = memo.proportion.size + memo.latency.size;
  } catch {
    loadedCount = 0;
  }
}

/** Save the memo when this process planned something new; failures to write are harmless. */
export function savePlanCache(): void {
  const memo = planMemo();
  if (memo.proportion.size + memo.latency.size === loadedCount) return;
  const file = cacheFile();
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const body: CacheFile = { proportion: [...memo.proportion], latency: [...memo.latency] };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, file);
    loadedCount = memo.proportion.size + memo.latency.size;
    // Older caches belong to older planner code.
    for (const old of readdirSync(path.dirname(file))) if (old !== path.basename(file) && !old.endsWith(".tmp")) rmSync(path.join(path.dirname(file), old), { force: true });
  } catch {
    // A read-only home or a full disk costs only speed.
  }
}
