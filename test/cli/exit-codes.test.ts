/**
 * The exit code of a run (src/cli/run.ts runExitCode) and of the CLI on an unexpected error:
 * a missing tool is 4 wherever it shows, a bug of meshproof is 70 with a line saying where to
 * report it, and a failed cleanup keeps a run from passing.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Verdict } from "../../src/analysis/verdict.js";
import { EXIT } from "../../src/analysis/exit-codes.js";
import { runExitCode } from "../../src/cli/run.js";
import type { ExecutionResult } from "../../src/engine/executor.js";
import { ToolMissingError } from "../../src/core/tools.js";
import type { TargetRecord } from "../../src/report/results.js";

vi.mock("../../src/cli/catalog.js", async (original) => ({
  ...(await original<typeof import("../../src/cli/catalog.js")>()),
  checkRunNames: (_command: string, name: string) => {
    if (name === "explode") throw new TypeError("Cannot read properties of undefined (reading 'meshes')");
  },
}));

const pass = { status: "pass" } as Verdict;
const fail = { status: "fail" } as Verdict;

function execution(verdicts: Verdict[], extra: Partial<ExecutionResult> = {}): ExecutionResult {
  const target = { mesh: "istio", scenarios: [{ name: "canary", status: verdicts.some((v) => v.status === "fail") ? "fail" : "pass", verdicts, steps: [] }] } as unknown as TargetRecord;
  return { clusterSetup: [], targets: [target], bugs: [], cleanupFailures: [], ...extra };
}

describe("a run's exit code", () => {
  it("is its verdicts' when nothing else went wrong", () => {
    expect(runExitCode(execution([pass]), false)).toBe(EXIT.ok);
    expect(runExitCode(execution([pass, fail]), false)).toBe(EXIT.checkFailed);
  });

  it("is 4 for a missing tool, whatever the verdicts so far", () => {
    expect(runExitCode(execution([fail], { aborted: new ToolMissingError("kubectl", "install it") }), false)).toBe(EXIT.environment);
  });

  it("is 70 when meshproof's own code failed a step, even for a mutant that was killed", () => {
    const bugs = [new TypeError("x is undefined")];
    expect(runExitCode(execution([pass], { bugs }), false)).toBe(EXIT.bug);
    expect(runExitCode(execution([fail], { bugs }), false, [{ mesh: "istio", status: "killed", reason: "failed" }])).toBe(EXIT.bug);
    expect(runExitCode(execution([pass], { bugs }), true)).toBe(EXIT.interrupted);
  });

  it("with --mutants, joins every mutant's outcome to the verdicts, and an interrupt or a bug still comes first", () => {
    const withMutants = (status: string, extra: Partial<ExecutionResult> = {}) => {
      const run = execution([pass], extra);
      (run.targets[0] as unknown as { mutants: unknown[] }).mutants = [{ name: "m", status, reason: "" }];
      return run;
    };
    expect(runExitCode(withMutants("killed"), false, undefined, true)).toBe(EXIT.ok);
    expect(runExitCode(withMutants("survived"), false, undefined, true)).toBe(EXIT.checkFailed);
    expect(runExitCode(withMutants("inconclusive"), false, undefined, true)).toBe(EXIT.inconclusive);
    // The wrong twin: without the flag a surviving mutant would not count.
    expect(runExitCode(withMutants("survived"), false)).toBe(EXIT.ok);
    expect(runExitCode(withMutants("survived"), true, undefined, true)).toBe(EXIT.interrupted);
    expect(runExitCode(withMutants("survived", { bugs: [new TypeError("x")] }), false, undefined, true)).toBe(EXIT.bug);
  });

  it("is 1, not 0, when a cleanup failed after every check passed", () => {
    expect(runExitCode(execution([pass], { cleanupFailures: ["istio: undo: apply the policy: the API server is gone"] }), false)).toBe(EXIT.checkFailed);
    expect(runExitCode(execution([pass], { cleanupFailures: ["x"] }), false, [{ mesh: "istio", status: "killed", reason: "failed" }])).toBe(EXIT.checkFailed);
  });
});

describe("an unexpected exception on the command line", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is a meshproof bug: exit 70, said so, with where to report it", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const { main } = await import("../../src/cli/main.js");
    const code = await main(["scenario", "explode", "--dry-run"]);
    expect(code).toBe(EXIT.bug);
    const text = written.join("");
    expect(text).toMatch(/^meshproof: internal error \(a meshproof bug, not a check result\): Cannot read properties of undefined/);
    expect(text).toMatch(/please report it in meshproof's issue tracker with the command you ran .*\(exit 70\)/);
    expect(text).not.toMatch(/check failed/);
  });
});
