/**
 * `npm run compare -- --gate A B` as CI runs it against last night's results: a real process on
 * the recorded runs under test/report/recorded. Two runs of the same build (different seeds)
 * must pass the gate; a run where Istio's proxy got 60 ms slower and Linkerd's error rate rose
 * to 8% must fail it, naming each regression.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "src/cli/main.ts");
const RECORDED = path.join(ROOT, "test/report/recorded");

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

describe("compare --gate", () => {
  it("counts what it compared in words that agree: one run, two runs", () => {
    const one = cli(["compare", path.join(RECORDED, "nightly-a"), "--out", path.join(tmp("meshproof-compare-"), "one")]);
    expect(one.stderr).toMatch(/^Compared 1 run:$/m);
    const two = cli(["compare", path.join(RECORDED, "nightly-a"), path.join(RECORDED, "nightly-b"), "--out", path.join(tmp("meshproof-compare-"), "two")]);
    expect(two.stderr).toMatch(/^Compared 2 runs:$/m);
  });

  it("flags nothing between two runs of the same build, and writes where --out says", () => {
    const out = path.join(tmp("meshproof-gate-"), "same-build");
    const r = cli(["compare", "--gate", path.join(RECORDED, "nightly-a"), path.join(RECORDED, "nightly-b"), "--out", out]);
    expect(r.stderr).toContain("No regression.");
    expect(r.code).toBe(0);
    for (const f of ["comparison.md", "comparison.html", "comparison.json"]) expect(existsSync(path.join(out, f))).toBe(true);
    const md = readFileSync(path.join(out, "comparison.md"), "utf8");
    expect(md).toContain("## Changes between runs");
    expect(md).toContain("istio @ nightly-a");
    expect(md).toContain("istio @ nightly-b");
  });

  it("exits 1 on the known regression and names it: Istio's latency and Linkerd's error rate", () => {
    const out = tmp("meshproof-gate-");
    const r = cli(["compare", "--gate", path.join(RECORDED, "nightly-a"), path.join(RECORDED, "nightly-regressed"), "--out", out]);
    expect(r.code).toBe(1);
    const named = r.stderr.split("\n").filter((l) => l.startsWith("REGRESSION "));
    expect(named.some((l) => /^REGRESSION istio benchmark rate-10 ttft p50: .* → .*interval of the change \[\+/.test(l))).toBe(true);
    expect(named.some((l) => /^REGRESSION linkerd benchmark rate-\d+ error rate: 0\.00% → /.test(l))).toBe(true);
    // The baseline did not change, and nothing of it may be named.
    expect(named.filter((l) => l.startsWith("REGRESSION none "))).toEqual([]);
    const html = readFileSync(path.join(out, "comparison.html"), "utf8");
    expect(html).toMatch(/<span class="word">\d+ REGRESSIONS?<\/span>/);
    const json = JSON.parse(readFileSync(path.join(out, "comparison.json"), "utf8")) as { changes: { regression: boolean }[] };
    expect(json.changes.filter((c) => c.regression).length).toBe(named.length);
  });

  it("without --gate the same regression is reported but the exit code stays 0", () => {
    const r = cli(["compare", path.join(RECORDED, "nightly-a"), path.join(RECORDED, "nightly-regressed"), "--out", tmp("meshproof-gate-")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^REGRESSION /m);
  });

  it("skips a corrupt results.json among many with a warning, and still compares the rest", () => {
    const tonight = tmp("meshproof-tonight-");
    cpSync(path.join(RECORDED, "nightly-b"), path.join(tonight, "run-ok"), { recursive: true });
    cpSync(path.join(RECORDED, "bench-none"), path.join(tonight, "run-truncated"), { recursive: true });
    const truncated = path.join(tonight, "run-truncated", "results.json");
    writeFileSync(truncated, readFileSync(truncated, "utf8").slice(0, 500));
    const r = cli(["compare", "--gate", path.join(RECORDED, "nightly-a"), tonight, "--out", tmp("meshproof-gate-")]);
    expect(r.stderr).toMatch(/warning: skipped .*run-truncated\/results\.json: .* is not valid JSON/);
    expect(r.stderr).toContain("No regression.");
    expect(r.code).toBe(0);
  });

  it("exits 2 when no usable results.json is left, and when --gate has a single folder", () => {
    const only = tmp("meshproof-bad-");
    writeFileSync(path.join(only, "results.json"), "{");
    const r = cli(["compare", only, "--out", tmp("meshproof-gate-")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no usable results\.json/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const single = cli(["compare", "--gate", path.join(RECORDED, "nightly-a")]);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/--gate needs two or more folders/);
  });
});
