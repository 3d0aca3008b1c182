/**
 * `compare DIR...`: line up runs side by side (Istio vs Linkerd vs the baseline) and write
 * comparison.md/.html/.json. Each folder is one side; with two or more, the first is the
 * reference and `--gate` exits 1 when a later side regressed, naming each regression. A
 * results.json that cannot be used is skipped with a warning; none usable is a UsageError (exit 2).
 */
import { EXIT } from "../analysis/verdict.js";
import { UsageError } from "../core/errors.js";
import { changeText, compareCommand as compare, DEFAULT_GATE, type GateOptions } from "../report/index.js";

export interface CompareCliOptions {
  out?: string;
  json: boolean;
  gate: boolean;
  margin?: string;
  falseAlarm?: string;
}

/** "5%" or "0.05" -> 0.05; anything else is a usage error naming the option. */
function fraction(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(value > 0 && value < 1)) throw new UsageError(`${option} must be a fraction between 0 and 1 or a percentage, got "${text}"`, `e.g. ${option} 5%`);
  return value;
}

export async function compareCommand(dirs: string[], opts: CompareCliOptions): Promise<number> {
  const gate: GateOptions = {
    ...DEFAULT_GATE,
    latencyMargin: fraction(opts.margin, "--margin", DEFAULT_GATE.latencyMargin),
    falseAlarm: fraction(opts.falseAlarm, "--false-alarm", DEFAULT_GATE.falseAlarm),
  };
  if (opts.gate && dirs.length < 2) {
    throw new UsageError("--gate needs two or more folders: the reference first (e.g. last night's run), then the runs to judge", "npm run compare -- --gate reports/last-night reports/tonight");
  }
  const result = await compare(dirs, { ...(opts.out ? { outDir: opts.out } : {}), gate });
  for (const s of result.skipped) process.stderr.write(`meshproof: warning: skipped ${s.path}: ${s.reason}\n`);
  const failed = opts.gate && result.regressions.length > 0;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ inputs: result.inputs, skipped: result.skipped, outDir: result.outDir, files: result.written, regressions: result.regressions, comparison: result.comparison })}\n`,
    );
  } else {
    process.stderr.write(`Compared ${result.inputs.length} ${result.inputs.length === 1 ? "run" : "runs"}:\n${result.inputs.map((i) => `  ${i}`).join("\n")}\n`);
    if (result.comparison.changes) {
      if (result.regressions.length === 0) process.stderr.write("No regression.\n");
      for (const r of result.regressions) process.stderr.write(`REGRESSION ${changeText(r)}\n`);
    }
    process.stderr.write(`Wrote:\n${result.written.map((w) => `  ${w}`).join("\n")}\n`);
  }
  return failed ? EXIT.checkFailed : EXIT.ok;
}
