/**
 * The built-in engine's pure parts: the exact command for the host and for the pod, the image
 * name, and the reading of the generator's summary (its HDR histograms are written in Go and
 * read here by hdr-histogram-js).
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeLoadResults } from "../../src/engine/merge-load.js";
import {
  LOADGEN_IMAGE,
  LOADGEN_VERSION,
  loadCommand,
  loadgenArgv,
  loadResultOf,
  LoadProfile,
  runLoadgen,
  type LoadgenSummary,
} from "../../src/load/index.js";

const profile = LoadProfile.parse({ name: "canary-split-1", executor: "constant-arrival-rate", rate: 20, durationSeconds: 30, mode: "stream", headers: { "x-canary": "true" } });

/** 1..1000 ms, one value each, as tools/loadgen encodes it (HDR V2 compressed, base64, microseconds). */
const ONE_TO_1000_MS =
  "HISTFAAAAJV42pJpmSzMwMB+moGBgZGBgYGZAQJAbIZrk5cw2H+ACJznZzrLzzSVg+kpO9NCFqaPzFC0nInpOyMWtJKRqZqpEg/OZrJmsmayBZPk0bpM0kyyTLJIJP35/Ey8TNxMvFCIYGEXHa7y7EysYMgMpVEh8aKj+oe+fmYmBjSIIYALEq2QFmaOWj5q+ciwHBAAAP//o5U9yw==";

describe("loadgenArgv", () => {
  it("lets requests in flight finish for as long as one request may run, and at least 30 s", () => {
    const stop = (requestTimeoutMs: number) => {
      const argv = loadgenArgv({ loadgenPath: "/l", profile: { ...profile, requestTimeoutMs }, targetUrl: "http://127.0.0.1:8000", outDir: "/o" }).run.argv;
      return argv[argv.indexOf("--graceful-stop") + 1];
    };
    expect(stop(95_000)).toBe("95s");
    expect(stop(5_000)).toBe("30s");
  });

  it("runs the host binary with the profile as JSON and the summary written into outDir", () => {
    const inv = loadgenArgv({ loadgenPath: "/cache/loadgen", profile, targetUrl: "http://127.0.0.1:8000", outDir: "/runs/r1/load", runId: "r1" });
    expect(inv.run.argv).toEqual([
      "/cache/loadgen", "run",
      "--target", "http://127.0.0.1:8000",
      "--profile", JSON.stringify(profile),
      "--run-id", "r1",
      "--graceful-stop", "120s",
      "--progress", "10s",
      "--out", "/runs/r1/load/loadgen-canary-split-1.json",
    ]);
    expect(inv.run.stdoutFile).toBeUndefined();
    expect(inv.summaryPath).toBe("/runs/r1/load/loadgen-canary-split-1.json");
  });

  it("execs /loadgen in the pod's loadgen container, then copies the summary it wrote there with `loadgen cat` (a scratch image has no cat or tar)", () => {
    const inv = loadgenArgv({
      loadgenPath: "/ignored",
      profile,
      targetUrl: "http://llm.meshproof-istio.svc.cluster.local:8000",
      outDir: "/runs/r1/load/istio",
      runner: { type: "pod", context: "kind-meshproof", namespace: "meshproof-istio", pod: "deploy/loadgen", container: "loadgen" },
      slo: '{"ttftMs":500,"tpotMs":50}',
    });
    expect(inv.run.argv.slice(0, 11)).toEqual(["kubectl", "--context", "kind-meshproof", "--namespace", "meshproof-istio", "exec", "deploy/loadgen", "--container", "loadgen", "--", "/loadgen"]);
    expect(inv.run.argv).toContain('{"ttftMs":500,"tpotMs":50}');
    // Not the run's own stdout: kubectl exec can cut it and still exit 0, and a run cannot be repeated.
    expect(inv.run.argv.slice(-2)).toEqual(["--out", "/tmp/meshproof-loadgen-canary-split-1.json"]);
    expect(inv.run.stdoutFile).toBeUndefined();
    expect(inv.fetch).toEqual({
      argv: ["kubectl", "--context", "kind-meshproof", "--namespace", "meshproof-istio", "exec", "deploy/loadgen", "--container", "loadgen", "--", "/loadgen", "cat", "/tmp/meshproof-loadgen-canary-split-1.json"],
      stdoutFile: "/runs/r1/load/istio/loadgen-canary-split-1.json",
    });
  });

  it("is what loadCommand shows in the plan for the built-in engine", () => {
    const preview = loadCommand({ engine: "builtin", tool: { name: "loadgen", path: "/x/loadgen", source: "cache" }, profile, targetUrl: "http://t", outDir: "/o" });
    expect(preview).toEqual({ engine: "builtin", argv: loadgenArgv({ loadgenPath: "/x/loadgen", profile, targetUrl: "http://t", outDir: "/o" }).run.argv });
    const k6 = loadCommand({ engine: "k6", tool: { name: "k6", path: "/usr/bin/k6", source: "path" }, profile, targetUrl: "http://t", outDir: "/o" });
    expect(k6.engine).toBe("k6");
    expect(k6.argv.slice(0, 2)).toEqual(["/usr/bin/k6", "run"]);
  });

  it("rejects an invalid profile before building anything", () => {
    expect(() => loadgenArgv({ loadgenPath: "x", profile: { ...profile, name: "Not Valid" }, targetUrl: "http://x", outDir: "/o" })).toThrow();
  });

  it("names the image by the generator's version, which main.go states too", () => {
    expect(LOADGEN_IMAGE).toBe(`meshproof/loadgen:${LOADGEN_VERSION}`);
    const main = readFileSync(new URL("../../tools/loadgen/main.go", import.meta.url), "utf8");
    expect(main).toContain(`const version = "${LOADGEN_VERSION}"`);
  });
});

function summary(overrides: Partial<LoadgenSummary> = {}): LoadgenSummary {
  return {
    schema: "meshproof-loadgen/1",
    loadgenVersion: LOADGEN_VERSION,
    profile: profile.name,
    startedAt: "2026-11-30T01:00:00.000Z",
    endedAt: "2026-11-30T01:00:31.000Z",
    scheduled: 600,
    started: 598,
    dropped: 2,
    notStarted: 0,
    requests: 598,
    failed: 3,
    peakInFlight: 40,
    outcomes: [
      { version: "stable", status: 200, ok: true, peer: "none", attempt: 1, count: 500 },
      { version: "stable", status: 200, ok: false, peer: "none", attempt: 1, count: 2 },
      { version: "canary", status: 200, ok: true, peer: "none", attempt: 1, count: 95 },
      { version: "unknown", status: 503, ok: false, peer: "none", attempt: 0, count: 1 },
    ],
    histograms: { e2e: { count: 1000, encoded: ONE_TO_1000_MS }, ttft: { count: 0, encoded: "" } },
    slo: { met: 590, total: 598 },
    errors: [],
    ...overrides,
  };
}

describe("loadResultOf", () => {
  it("reads Go's HDR histograms with hdr-histogram-js and fills the same LoadResult as the k6 engine", () => {
    const result = loadResultOf(summary(), profile, ["load/loadgen-canary-split-1.json"]);
    expect(result.latency.e2e.count).toBe(1000);
    expect(result.latency.e2e.p50).toBeGreaterThanOrEqual(499);
    expect(result.latency.e2e.p50).toBeLessThanOrEqual(501);
    expect(result.latency.e2e.max).toBeGreaterThanOrEqual(999);
    expect(result.latency.e2e.hdr).not.toBe("");
    expect(result.latency.ttft?.count).toBe(0);
    expect(result).toMatchObject({ requests: 598, failed: 3, droppedIterations: 2, durationSeconds: 30, offeredRps: 20, sloMet: { met: 590, total: 598 } });
    expect(result.achievedRps).toBeCloseTo(598 / 30);
    // ok is the generator's; outcomes count by version, status, peer and attempt as before.
    expect(result.outcomes).toEqual([
      { version: "canary", status: 200, count: 95, peer: "none", attempt: 1 },
      { version: "stable", status: 200, count: 502, peer: "none", attempt: 1 },
      { version: "unknown", status: 503, count: 1, peer: "none", attempt: 0 },
    ]);
  });

  it("merges across batches exactly, from-send histograms and start delay included", () => {
    const one = summary({ histograms: { e2e: { count: 1000, encoded: ONE_TO_1000_MS }, e2eFromSend: { count: 1000, encoded: ONE_TO_1000_MS }, startDelay: { count: 1000, encoded: ONE_TO_1000_MS } } });
    const merged = mergeLoadResults([loadResultOf(one, profile, ["a"]), loadResultOf(one, profile, ["b"])]);
    expect(merged.requests).toBe(2 * 598);
    expect(merged.latency.e2e.count).toBe(2000);
    expect(merged.latency.e2eFromSend?.count).toBe(2000);
    expect(merged.startDelay?.count).toBe(2000);
    expect(merged.evidence).toEqual(["a", "b"]);
  });

  it("reads failed requests' latency per status, and keeps 'not timed' apart from 'none failed'", () => {
    const timed = summary({ failedLatency: [{ status: 504, histograms: { e2e: { count: 1000, encoded: ONE_TO_1000_MS }, e2eFromSend: { count: 1000, encoded: ONE_TO_1000_MS } } }] });
    const result = loadResultOf(timed, profile, ["a"]);
    expect(result.failedLatency).toHaveLength(1);
    expect(result.failedLatency![0]).toMatchObject({ status: 504, e2e: { count: 1000 }, e2eFromSend: { count: 1000 } });
    expect(result.failedLatency![0]!.e2e.p50).toBeGreaterThanOrEqual(499);
    // The successes' latency is untouched by the failures'.
    expect(result.latency.e2e.count).toBe(1000);
    expect(loadResultOf(summary({ failedLatency: [] }), profile, []).failedLatency).toEqual([]);
    // A summary of a loadgen that did not time failures (no field) stays without: not "none failed".
    expect(loadResultOf(summary(), profile, []).failedLatency).toBeUndefined();
    expect("failedLatency" in loadResultOf(summary(), profile, [])).toBe(false);
  });

  it("merges failed latency across batches status by status, and drops it when a batch did not time failures", () => {
    const at = (status: number) => ({ status, histograms: { e2e: { count: 1000, encoded: ONE_TO_1000_MS }, e2eFromSend: { count: 1000, encoded: ONE_TO_1000_MS } } });
    const a = loadResultOf(summary({ failedLatency: [at(504)] }), profile, ["a"]);
    const b = loadResultOf(summary({ failedLatency: [at(0), at(504)] }), profile, ["b"]);
    const merged = mergeLoadResults([a, b]);
    expect(merged.failedLatency?.map((f) => [f.status, f.e2e.count, f.e2eFromSend?.count])).toEqual([
      [0, 1000, 1000],
      [504, 2000, 2000],
    ]);
    expect(mergeLoadResults([a, loadResultOf(summary(), profile, ["old"])]).failedLatency).toBeUndefined();
  });

  it("refuses a file that is not a loadgen summary", () => {
    expect(() => loadResultOf(summary({ schema: "something-else" }), profile, [])).toThrow(/not a loadgen summary/);
  });
});

describe("runLoadgen in a pod, with a stand-in kubectl", () => {
  /** Exits 0 for the run; its first `cat` prints `firstCopy` (a copy cut short), later ones the whole summary. */
  function fakeKubectl(dir: string, firstCopy: string): string {
    const whole = join(dir, "whole.json");
    writeFileSync(whole, JSON.stringify(summary()));
    const path = join(dir, "kubectl");
    writeFileSync(
      path,
      [
        "#!/bin/sh",
        'case "$*" in',
        '  *" /loadgen run "*) echo "running in the pod" >&2; exit 0;;',
        `  *" /loadgen cat "*) if [ -e "${dir}/copied" ]; then cat "${whole}"; else touch "${dir}/copied"; printf '%s' '${firstCopy}'; fi;;`,
        "  *) exit 3;;",
        "esac",
      ].join("\n"),
    );
    chmodSync(path, 0o755);
    return path;
  }
  const runIn = (dir: string, kubectl: string) =>
    runLoadgen({
      loadgen: { name: "loadgen", path: "/unused", source: "path" },
      profile,
      targetUrl: "http://llm:8000",
      outDir: join(dir, "out"),
      runner: { type: "pod", namespace: "meshproof-istio", pod: "deploy/loadgen", container: "loadgen", kubectl },
      timeoutMs: 30_000,
    });

  it("copies the summary again when the first copy arrives cut short, and reads the whole one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "meshproof-loadgen-pod-"));
    const result = await runIn(dir, fakeKubectl(dir, '{"schema":"meshproof-lo'));
    expect(result.requests).toBe(598);
    expect(JSON.parse(readFileSync(join(dir, "out", "loadgen-canary-split-1.json"), "utf8")).requests).toBe(598);
  });

  it("says the summary could not be read when every copy is cut", async () => {
    const dir = mkdtempSync(join(tmpdir(), "meshproof-loadgen-pod-"));
    const path = join(dir, "kubectl");
    writeFileSync(path, ['#!/bin/sh', 'case "$*" in', '  *" /loadgen run "*) exit 0;;', "  *) printf '{';;", "esac"].join("\n"));
    chmodSync(path, 0o755);
    await expect(runIn(dir, path)).rejects.toThrow(/loadgen exited 0 but its summary .* could not be read/);
  });
});
