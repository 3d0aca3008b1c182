import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { k6Argv, K6_SCRIPT_DIR, LoadProfile } from "../../src/load/index.js";

const profile = LoadProfile.parse({
  name: "canary-split",
  executor: "constant-arrival-rate",
  rate: 20,
  durationSeconds: 30,
  mode: "stream",
  headers: { "x-canary": "true" },
});

describe("k6Argv", () => {
  it("runs the host k6 quietly with JSON output into outDir and the profile in the environment", () => {
    const inv = k6Argv({
      k6Path: "/cache/k6",
      profile,
      targetUrl: "http://127.0.0.1:8000",
      outDir: "/runs/r1/load",
      env: { MESHPROOF_SLO: '{"ttftMs":500,"tpotMs":50}' },
    });
    expect(inv.run.argv).toEqual([
      "/cache/k6",
      "run",
      "--quiet",
      "--out",
      "json=/runs/r1/load/k6-canary-split.ndjson",
      join(K6_SCRIPT_DIR, "llm-stream.ts"),
    ]);
    expect(inv.run.env).toMatchObject({
      MESHPROOF_TARGET: "http://127.0.0.1:8000",
      MESHPROOF_SUMMARY: "/runs/r1/load/k6-canary-split-summary.json",
      MESHPROOF_SLO: '{"ttftMs":500,"tpotMs":50}',
      K6_AUTO_EXTENSION_RESOLUTION: "false",
      K6_NO_USAGE_REPORT: "true",
    });
    // The script receives the profile with zod's defaults filled in.
    expect(JSON.parse(inv.run.env?.MESHPROOF_PROFILE ?? "{}")).toEqual(profile);
    expect(inv.collect).toEqual([]);
    expect(inv.ndjsonPath).toBe("/runs/r1/load/k6-canary-split.ndjson");
  });

  it("execs k6 in the loadgen pod on the mounted scripts, then copies the output back", () => {
    const inv = k6Argv({
      k6Path: "/ignored/k6",
      profile,
      targetUrl: "http://llm.llm-serving.svc:8000",
      outDir: "/runs/r1",
      runner: { type: "pod", context: "kind-meshproof", namespace: "loadgen", pod: "loadgen-0", container: "k6" },
    });
    const kubectl = ["kubectl", "--context", "kind-meshproof", "--namespace", "loadgen"];
    const argv = inv.run.argv;
    expect(argv.slice(0, 11)).toEqual([...kubectl, "exec", "loadgen-0", "--container", "k6", "--", "env"]);
    expect(argv.slice(-6)).toEqual([
      "k6",
      "run",
      "--quiet",
      "--out",
      "json=/tmp/k6-canary-split.ndjson",
      "/scripts/llm-stream.ts",
    ]);
    expect(argv).toContain("MESHPROOF_TARGET=http://llm.llm-serving.svc:8000");
    expect(argv).toContain("MESHPROOF_SUMMARY=/tmp/k6-canary-split-summary.json");
    expect(argv).toContain("K6_AUTO_EXTENSION_RESOLUTION=false");
    expect(argv.find((arg) => arg.startsWith("MESHPROOF_PROFILE="))).toBe(`MESHPROOF_PROFILE=${JSON.stringify(profile)}`);
    expect(inv.run.env).toBeUndefined();
    expect(inv.collect.map((command) => command.argv)).toEqual([
      [...kubectl, "cp", "--container", "k6", "loadgen-0:/tmp/k6-canary-split.ndjson", "/runs/r1/k6-canary-split.ndjson"],
      [
        ...kubectl,
        "cp",
        "--container",
        "k6",
        "loadgen-0:/tmp/k6-canary-split-summary.json",
        "/runs/r1/k6-canary-split-summary.json",
      ],
    ]);
  });

  it("leaves out --context when the runner uses kubectl's current context", () => {
    const inv = k6Argv({
      k6Path: "k6",
      profile,
      targetUrl: "http://x:8000",
      outDir: "/o",
      runner: { type: "pod", namespace: "n", pod: "p", container: "c", kubectl: "/usr/bin/kubectl" },
    });
    expect(inv.run.argv.slice(0, 3)).toEqual(["/usr/bin/kubectl", "--namespace", "n"]);
  });

  it("reads files back through exec and cat for a workload reference, which kubectl cp cannot take", () => {
    const inv = k6Argv({
      k6Path: "k6",
      profile,
      targetUrl: "http://x:8000",
      outDir: "/o",
      runner: { type: "pod", namespace: "n", pod: "deploy/loadgen", container: "k6" },
    });
    expect(inv.collect[0]).toEqual({
      argv: ["kubectl", "--namespace", "n", "exec", "deploy/loadgen", "--container", "k6", "--", "cat", "/tmp/k6-canary-split.ndjson"],
      stdoutFile: "/o/k6-canary-split.ndjson",
    });
  });

  it("rejects a profile that is not valid before building anything", () => {
    expect(() =>
      k6Argv({ k6Path: "k6", profile: { ...profile, name: "Not Valid" }, targetUrl: "http://x", outDir: "/o" }),
    ).toThrow();
  });

  it("runs plain profiles on the script a stock k6 runs", () => {
    const inv = k6Argv({ k6Path: "k6", profile: { ...profile, mode: "plain" }, targetUrl: "http://x", outDir: "/o" });
    expect(inv.run.argv.at(-1)).toBe(join(K6_SCRIPT_DIR, "llm-load.ts"));
  });
});
