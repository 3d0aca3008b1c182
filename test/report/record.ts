/**
 * Writes the recorded runs under test/report/recorded/ from the fixture builders. They are
 * committed and never rewritten by tests: they stand for results.json files written by earlier
 * meshproof builds, which every reporter must keep rendering. Regenerate only on a deliberate
 * schema change (bump RESULTS_SCHEMA_VERSION then): `npx tsx test/report/record.ts`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { abortedRun, benchmarkRun, canaryRun, suiteRun } from "./fixtures.js";

export const RECORDED_DIR = fileURLToPath(new URL("./recorded/", import.meta.url));

/** Each recorded run: its folder name under recorded/ and how it was built. */
export const RECORDED = {
  "canary-both": () => canaryRun(),
  aborted: () => abortedRun(),
  "nightly-a": () => suiteRun({ seed: 1, runId: "20260314-020000-nightly" }),
  "nightly-b": () => suiteRun({ seed: 2, runId: "20260315-020000-nightly" }),
  "nightly-regressed": () => suiteRun({ seed: 3, runId: "20260316-020000-nightly", istioExtraMs: 60, linkerdErrorRate: 0.08 }),
  "bench-none": () => benchmarkRun({ mesh: "none", seed: 4, seconds: 20, runId: "20260314-030000-bench-none" }),
} as const;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, build] of Object.entries(RECORDED)) {
    const dir = join(RECORDED_DIR, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "results.json"), `${JSON.stringify(build(), null, 2)}\n`, "utf8");
    process.stdout.write(`wrote ${name}/results.json\n`);
  }
}
