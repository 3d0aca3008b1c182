/**
 * Progress on long work: a spinner with elapsed time on a terminal, one timestamped line per
 * event in CI logs, JSON lines with --json (stdout stays machine-readable; humans read stderr).
 */
import ora, { type Ora } from "ora";
import type { ProgressSink } from "../engine/executor.js";
import type { Step } from "../plan/steps.js";
import { formatMs } from "../core/errors.js";
import type { StepRecord } from "../report/results.js";

const SYMBOL: Record<StepRecord["status"], string> = {
  ok: "✔",
  failed: "✖",
  skipped: "↷",
  unsupported: "∅",
  interrupted: "■",
};

function verdictSuffix(record: StepRecord): string {
  const v = record.verdicts ?? [];
  if (v.length === 0) return "";
  const count = (s: string) => v.filter((x) => x.status === s).length;
  const parts = [
    count("pass") && `${count("pass")} pass`,
    count("fail") && `${count("fail")} FAIL`,
    count("inconclusive") && `${count("inconclusive")} inconclusive`,
    count("unsupported") && `${count("unsupported")} not supported`,
  ].filter(Boolean);
  return ` [${parts.join(", ")}]`;
}

function describe(step: Step): string {
  if (step.kind === "measure") return `${step.name} (${step.load.rate} req/s for ${step.load.durationSeconds}s)`;
  return step.name;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let spinner: Ora | undefined;
  let timer: NodeJS.Timeout | undefined;
  let started = 0;
  let label = "";
  const stopSpinner = () => {
    clearInterval(timer);
    spinner?.stop();
    spinner = undefined;
  };
  return {
    stepStarted(where, step) {
      stopSpinner();
      started = performance.now();
      label = `${where}: ${describe(step)}`;
      spinner = ora({ text: label, stream }).start();
      timer = setInterval(() => {
        if (spinner) spinner.text = `${label} (${formatMs(performance.now() - started)})`;
      }, 1000);
    },
    stepFinished(where, step, record) {
      stopSpinner();
      const detail = record.error && record.status !== "ok" ? ` — ${record.error.split("\n")[0]}` : "";
      stream.write(`${SYMBOL[record.status]} ${where}: ${describe(step)} (${formatMs(record.durationMs)})${verdictSuffix(record)}${detail}\n`);
    },
    note(message) {
      const text = spinner?.text;
      spinner?.clear();
      stream.write(`  ${message}\n`);
      if (spinner && text) spinner.render();
    },
  };
}

export function plainProgress(stream: NodeJS.WritableStream = process.stderr): ProgressSink {
  const stamp = () => new Date().toISOString().slice(11, 19);
  return {
    stepStarted(where, step) {
      stream.write(`${stamp()} … ${where}: ${describe(step)}\n`);
    },
    stepFinished(where, step, record) {
      const detail = record.error && record.status !== "ok" ? ` — ${record.error.split("\n")[0]}` : "";
      stream.write(`${stamp()} ${SYMBOL[record.status]} ${where}: ${describe(step)} (${formatMs(record.durationMs)})${verdictSuffix(record)}${detail}\n`);
    },
    note(message) {
      stream.write(`${stamp()}   ${message}\n`);
    },
  };
}

export function jsonProgress(stream: NodeJS.WritableStream = process.stdout): ProgressSink {
  const emit = (event: Record<string, unknown>) => stream.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  return {
    stepStarted: (where, step) => emit({ event: "step-started", where, id: step.id, kind: step.kind, name: step.name }),
    stepFinished: (where, step, record) =>
      emit({ event: "step-finished", where, id: step.id, status: record.status, durationMs: Math.round(record.durationMs), verdicts: record.verdicts?.map((v) => ({ checkId: v.checkId, status: v.status })), error: record.error }),
    note: (message) => emit({ event: "note", message }),
  };
}

export function progressFor(json: boolean): ProgressSink {
  if (json) return jsonProgress();
  return process.stderr.isTTY && !process.env.CI ? terminalProgress() : plainProgress();
}
