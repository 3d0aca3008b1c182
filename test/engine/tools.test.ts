import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOADGEN_VERSION } from "../../src/load/loadgen.js";
import {
  describeTool,
  findTool,
  manifestPath,
  ToolMissingError,
  TOOLS,
  versionFromOutput,
  toolsCacheDir,
  tryFindTool,
  type ToolManifest,
} from "../../src/core/tools.js";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "meshproof-tools-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function executable(path: string): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "#!/bin/sh\necho fake\n");
  chmodSync(path, 0o755);
  return path;
}

function writeManifest(cacheDir: string, tools: ToolManifest["tools"]): void {
  mkdirSync(cacheDir, { recursive: true });
  const manifest: ToolManifest = { schemaVersion: 1, writtenAt: new Date().toISOString(), tools };
  writeFileSync(manifestPath(cacheDir), JSON.stringify(manifest));
}

describe("findTool", () => {
  it("prefers the environment variable over the cache and PATH", () => {
    const fromEnv = executable(join(root, "custom", "k6"));
    const cacheDir = join(root, "cache");
    writeManifest(cacheDir, { k6: { path: executable(join(cacheDir, "k6-v1", "k6")), version: "v1.8.1" } });
    const bin = join(root, "bin");
    executable(join(bin, "k6"));

    const found = findTool("k6", { env: { K6_BIN: fromEnv, PATH: bin }, cacheDir });
    expect(found).toEqual({ name: "k6", path: fromEnv, source: "env" });
  });

  it("uses the setup cache before PATH", () => {
    const cacheDir = join(root, "cache");
    const cachedK6 = executable(join(cacheDir, "k6-v1.8.1-abc", "k6"));
    writeManifest(cacheDir, { k6: { path: cachedK6, version: "v1.8.1" } });
    const bin = join(root, "bin");
    executable(join(bin, "k6"));

    expect(findTool("k6", { env: { PATH: bin }, cacheDir })).toEqual({ name: "k6", path: cachedK6, source: "cache" });
  });

  it("does not call a system-wide tool listed in the manifest 'cache'", () => {
    const cacheDir = join(root, "cache");
    const bin = join(root, "bin");
    const system = executable(join(bin, "prometheus"));
    writeManifest(cacheDir, { prometheus: { path: system, version: "2.45.0" } });

    expect(findTool("prometheus", { env: { PATH: bin }, cacheDir }).source).toBe("path");
  });

  it("falls through a manifest entry whose binary was deleted", () => {
    const cacheDir = join(root, "cache");
    writeManifest(cacheDir, { k6: { path: join(cacheDir, "gone", "k6"), version: "v1.8.1" } });
    const bin = join(root, "bin");
    const onPath = executable(join(bin, "k6"));

    expect(findTool("k6", { env: { PATH: bin }, cacheDir }).path).toBe(onPath);
  });

  it("finds Debian's prometheus-pushgateway name for the pushgateway", () => {
    const bin = join(root, "bin");
    const debian = executable(join(bin, "prometheus-pushgateway"));
    expect(findTool("pushgateway", { env: { PATH: bin }, cacheDir: join(root, "none") })).toEqual({
      name: "pushgateway",
      path: debian,
      source: "path",
    });
  });

  it("skips files on PATH that are not executable", () => {
    const bin = join(root, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "kubectl"), "not executable");
    expect(tryFindTool("kubectl", { env: { PATH: bin }, cacheDir: join(root, "none") })).toBeUndefined();
  });

  it("throws ToolMissingError with exit code 4 and a hint when the tool is nowhere", () => {
    const attempt = () => findTool("k6", { env: { PATH: join(root, "empty") }, cacheDir: join(root, "none") });
    expect(attempt).toThrow(ToolMissingError);
    try {
      attempt();
    } catch (error) {
      const missing = error as ToolMissingError;
      expect(missing.tool).toBe("k6");
      expect(missing.exitCode).toBe(4);
      expect(missing.hint).toContain("k6 is optional and not shipped");
      expect(missing.hint).toContain("K6_BIN");
      expect(missing.message).toContain("k6 was not found");
    }
  });

  it("says so when the environment variable points at a missing file, without falling back", () => {
    const bin = join(root, "bin");
    executable(join(bin, "kubectl"));
    const missing = join(root, "nope", "kubectl");
    expect(() => findTool("kubectl", { env: { KUBECTL_BIN: missing, PATH: bin } })).toThrow(
      new RegExp(`KUBECTL_BIN is set to ${missing}, but there is no executable file there`),
    );
    expect(() => tryFindTool("kubectl", { env: { KUBECTL_BIN: missing, PATH: bin } })).toThrow(ToolMissingError);
  });

  it("ignores a malformed manifest", () => {
    const cacheDir = join(root, "cache");
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(manifestPath(cacheDir), "{ not json");
    expect(tryFindTool("k6", { env: { PATH: "" }, cacheDir })).toBeUndefined();
  });
});

describe("toolsCacheDir", () => {
  it("honours an absolute XDG_CACHE_HOME and ignores a relative one", () => {
    expect(toolsCacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/u" })).toBe("/x/cache/meshproof/tools");
    expect(toolsCacheDir({ XDG_CACHE_HOME: "rel", HOME: "/home/u" })).toBe("/home/u/.cache/meshproof/tools");
  });
});

describe("describeTool", () => {
  it("names where the tool came from", () => {
    expect(describeTool({ name: "k6", path: "/c/k6", source: "cache" })).toBe("k6 from the setup cache (/c/k6)");
    expect(describeTool({ name: "k6", path: "/e/k6", source: "env" })).toBe("k6 from K6_BIN (/e/k6)");
    expect(describeTool({ name: "kind", path: "/usr/bin/kind", source: "path" })).toBe("kind from PATH (/usr/bin/kind)");
  });
});

describe("the loadgen that `npm run setup` built", () => {
  it("is found in the setup cache and reports this checkout's version", () => {
    // Needs `npm run setup` first; findTool's error says so if it has not run.
    const loadgen = findTool("loadgen", { env: { ...process.env, LOADGEN_BIN: "" } });
    expect(loadgen.source).toBe("cache");
    const version = execFileSync(loadgen.path, ["version"], { encoding: "utf8", timeout: 30_000 });
    expect(version).toContain(`meshproof loadgen ${LOADGEN_VERSION}`);
  });
});

describe("the tool table and the README", () => {
  it("the README names every tool's environment variable", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const missing = Object.values(TOOLS).map((t) => t.env).filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});

describe("the version a tool reports", () => {
  it.each([
    ["prometheus, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5+deb12u1)\n  build user: x", "2.42.0+ds"],
    ["pushgateway, version 1.5.1 (branch: debian/sid, revision: 1.5.1-2+b5)", "1.5.1"],
    ["meshproof loadgen v0.1.0", "v0.1.0"],
    ["Client Version: v1.34.4\nKustomize Version: v5.7.1", "v1.34.4"],
    ["kind v0.33.0 go1.25.1 linux/amd64", "v0.33.0"],
    ["go version go1.26.8 linux/amd64", "go1.26.8"],
    ["1.30.3", "1.30.3"],
    ["version-2.20", "version-2.20"],
    ["\n\n", "unknown"],
  ])("%j -> %s", (output, version) => {
    expect(versionFromOutput(output)).toBe(version);
  });
});
