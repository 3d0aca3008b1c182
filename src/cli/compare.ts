/**
 * `compare DIR...`: line up runs side by side (Istio vs Linkerd vs the baseline) and write
 * comparison.md/.html/.json. Bad or missing results files are a UsageError (exit 2).
 */
import { EXIT } from "../analysis/verdict.js";
import { compareCommand as compare } from "../report/index.js";

export async function compareCommand(dirs: string[], opts: { out?: string; json: boolean }): Promise<number> {
  const result = await compare(dirs, opts.out ? { outDir: opts.out } : {});
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ inputs: result.inputs, outDir: result.outDir, files: result.written, comparison: result.comparison })}\n`);
  } else {
    process.stderr.write(`Compared ${result.inputs.length} ${result.inputs.length === 1 ? "run" : "runs"}:\n${result.inputs.map((i) => `  ${i}`).join("\n")}\n`);
    process.stderr.write(`Wrote:\n${result.written.map((w) => `  ${w}`).join("\n")}\n`);
  }
  return EXIT.ok;
}
