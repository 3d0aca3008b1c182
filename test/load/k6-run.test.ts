/**
 * runK6's process handling (the optional k6 engine), with stand-in k6 executables (shell
 * scripts) for exits, timeouts and aborts, plus one real k6 failure where a k6 is installed.
 * The real load runs are in loadgen-llm-sim.test.ts.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ToolMissingError, tryFindTool, type ResolvedTool } from "../../src/core/tools.js";
import { LoadRunError, LoadProfile, runK6 } from "../../src/load/index.js";

const profile = LoadProfile.parse({
  name: "fake",
  executor: "constant-arrival-rate",
  rate: 2,
  durationSeconds: 1,
  mode: "stream",
});

const POINT = (metric: string, value: number, tags: Record<string, string>) =>
  JSON.stringify({ metric, type: "Point", data: { time: "2026-01-01T00:00:00.5Z", value, tags } });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "meshproof-k6run-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in k6: writes two requests to its --out file, prints `say`, exits `code`. */
function fakeK6(options: { code?: number; say?: string; body?: string } = {}): ResolvedTool {
  const path = join(dir, "k6");
  const lines = [
    POINT("llm_requests", 1, { version: "stable", status: "200", ok: "true" }),
    POINT("llm_requests", 1, { version: "canary", status: "200", ok: "true" }),
  ].join("\n");
  const script = [
    "#!/bin/sh",
    'for a; do case "$a" in json=*) out="${a#json=}";; esac; done',
    `cat > "$out" <<'EOF'\n${lines}\nEOF`,
    'echo "profile=$MESHPROOF_PROFILE" > "$out.env"',
    options.say ? `cat >&2 <<'EOF'\n${options.say}\nEOF` : "",
    options.body ?? "",
    `exit ${options.code ?? 0}`,
  ].join("\n");
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return { name: "k6", path, source: "env" };
}

describe("runK6 with a stand-in k6", () => {
  it("parses the output file, passes the profile and reports evidence relative to the run folder", async () => {
    const outDir = join(dir, "run", "load");
    const lines: string[] = [];
    const result = await runK6({
      k6: fakeK6({ say: "a warning" }),
      profile,
      targetUrl: "http://127.0.0.1:1",
      outDir,
      runDir: join(dir, "run"),
      onProgress: (line) => lines.push(line),
    });
    expect(result.requests).toBe(2);
    expect(result.outcomes.map((o) => o.version)).toEqual(["canary", "stable"]);
    expect(result.evidence).toEqual(["load/k6-fake.ndjson", "load/k6-fake-summary.json"]);
    expect(lines).toContain("a warning");
    expect(existsSync(join(outDir, "k6-fake.ndjson.env"))).toBe(true);
  });

  it("accepts exit 99 (only thresholds failed): the harness judges, not k6", async () => {
    const result = await runK6({ k6: fakeK6({ code: 99 }), profile, targetUrl: "http://x", outDir: dir });
    expect(result.requests).toBe(2);
  });

  it("throws LoadRunError with the exit meaning and k6's last lines on other exits", async () => {
    const run = runK6({
      k6: fakeK6({ code: 107, say: "TypeError: boom at llm-load.ts:12" }),
      profile,
      targetUrl: "http://x",
      outDir: dir,
    });
    await expect(run).rejects.toThrow(LoadRunError);
    await expect(run).rejects.toThrow(/k6 exited 107 \(the script threw an exception\)[\s\S]*TypeError: boom/);
  });

  it("says what to do when the k6 lacks the k6/x/llmstream extension streamed profiles need", async () => {
    const run = runK6({
      // The message a stock k6 v1.8.1 prints with automatic extension resolution off.
      k6: fakeK6({
        code: 107,
        say: `level=error msg="could not initialize 'llm-stream.ts': unknown modules [k6/x/llmstream] were tried to be loaded, but couldn't"`,
      }),
      profile,
      targetUrl: "http://x",
      outDir: dir,
    });
    await expect(run).rejects.toThrow(ToolMissingError);
    await expect(run).rejects.toThrow(/has no k6\/x\/llmstream, which streamed profiles need: use the built-in engine/);
  });

  it("stops a k6 that outlives its timeout", async () => {
    const started = Date.now();
    const run = runK6({ k6: fakeK6({ body: "exec sleep 30" }), profile, targetUrl: "http://x", outDir: dir, timeoutMs: 300 });
    await expect(run).rejects.toThrow(/did not finish within/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("stops k6 when the caller aborts, with the caller's reason", async () => {
    const controller = new AbortController();
    const run = runK6({
      k6: fakeK6({ body: "exec sleep 30" }),
      profile,
      targetUrl: "http://x",
      outDir: dir,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("user pressed ctrl-c")), 200);
    await expect(run).rejects.toThrow("user pressed ctrl-c");
  });

  it("refuses to start when already aborted", async () => {
    const run = runK6({
      k6: fakeK6(),
      profile,
      targetUrl: "http://x",
      outDir: dir,
      signal: AbortSignal.abort(new Error("too late")),
    });
    await expect(run).rejects.toThrow("too late");
  });
});

describe("runK6 with the pod runner and a stand-in kubectl", () => {
  /** Answers `exec ... k6 run` with success, `exec ... cat` and `cp` with prepared output. */
  function fakeKubectl(): string {
    const lines = [POINT("llm_requests", 1, { version: "stable", status: "200", ok: "true" })].join("\n");
    const path = join(dir, "kubectl");
    writeFileSync(
      path,
      [
        "#!/bin/sh",
        `echo "$*" >> "${join(dir, "kubectl.log")}"`,
        'for a; do last="$a"; done',
        'case "$*" in',
        `  *" k6 run "*) echo "running k6 in the pod" >&2; exit 0;;`,
        `  *" cat /tmp/k6-fake.ndjson"*) printf '%s\n' '${lines}';;`,
        `  *" cat "*) echo '{}';;`,
        `  *" cp "*) case "$last" in *.ndjson) printf '%s\n' '${lines}' > "$last";; *) echo '{}' > "$last";; esac;;`,
        "  *) exit 3;;",
        "esac",
      ].join("\n"),
    );
    chmodSync(path, 0o755);
    return path;
  }

  for (const pod of ["loadgen-7d9f", "deploy/loadgen"]) {
    it(`runs, collects and parses with pod ${pod}`, async () => {
      const result = await runK6({
        k6: { name: "k6", path: "k6", source: "path" },
        profile,
        targetUrl: "http://llm:8000",
        outDir: join(dir, "out"),
        runner: { type: "pod", namespace: "loadgen", pod, container: "k6", kubectl: fakeKubectl() },
      });
      expect(result.requests).toBe(1);
      expect(existsSync(join(dir, "out", "k6-fake-summary.json"))).toBe(true);
    });
  }
});

const installedK6 = tryFindTool("k6");
describe.skipIf(!installedK6)("runK6 with a real k6 (skipped: no k6 installed; set K6_BIN or put k6 on PATH)", () => {
  it("reports the script's own error when the target is not a URL", async () => {
    const k6 = installedK6!;
    const run = runK6({ k6, profile, targetUrl: "not-a-url", outDir: dir, timeoutMs: 60_000 });
    await expect(run).rejects.toThrow(/k6 exited 107[\s\S]*MESHPROOF_TARGET must be a base URL/);
  });
});
