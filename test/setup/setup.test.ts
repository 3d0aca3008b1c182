import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findTool } from "../../src/core/tools.js";
import { LOADGEN_VERSION } from "../../src/load/loadgen.js";
import {
  goDirective,
  buildCacheKey,
  goSourceFiles,
  loadgenBuildDir,
  LOADGEN_SOURCES,
  parseGoVersion,
  versionAtLeast,
} from "../../scripts/setup.js";

const SETUP = fileURLToPath(new URL("../../scripts/setup.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/tsx/dist/cli.mjs", import.meta.url));

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "meshproof-setup-"));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("version helpers", () => {
  it("parses Go versions and compares them", () => {
    expect(parseGoVersion("go1.26.8")).toEqual([1, 26, 8]);
    expect(parseGoVersion("1.25")).toEqual([1, 25, 0]);
    expect(parseGoVersion("devel go1.27-abc")).toBeUndefined();
    expect(versionAtLeast([1, 26, 8], [1, 25, 0])).toBe(true);
    expect(versionAtLeast([1, 25, 0], [1, 25, 0])).toBe(true);
    expect(versionAtLeast([1, 24, 9], [1, 25, 0])).toBe(false);
  });

  it("reads the go directive that sets the oldest usable Go", () => {
    expect(goDirective("module x\n\ngo 1.25.0\n\nrequire example.com/m v1.2.0\n")).toBe("1.25.0");
  });
});

describe("the loadgen cache key", () => {
  function tree(): string {
    const dir = join(scratch, "src");
    mkdirSync(join(dir, "llmstream"), { recursive: true });
    writeFileSync(join(dir, "go.mod"), "module m\n\ngo 1.25.0\n");
    writeFileSync(join(dir, "go.sum"), "");
    writeFileSync(join(dir, "main.go"), "package main\n");
    writeFileSync(join(dir, "llmstream", "stream.go"), "package llmstream\n");
    writeFileSync(join(dir, "llmstream", "stream_test.go"), "package llmstream\n");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    return dir;
  }

  it("covers the sources that go into the binary and nothing else", async () => {
    expect(await goSourceFiles(tree())).toEqual(["go.mod", "go.sum", "llmstream/stream.go", "main.go"]);
  });

  it("changes with a source or the Go version, not with tests or the Dockerfile", async () => {
    const dir = tree();
    const key = await buildCacheKey(dir, "go1.26.8");
    expect(key).toMatch(/^[0-9a-f]{12}$/);
    expect(await buildCacheKey(dir, "go1.26.8")).toBe(key);
    expect(await buildCacheKey(dir, "go1.25.1")).not.toBe(key);

    writeFileSync(join(dir, "llmstream", "stream_test.go"), "package llmstream // changed\n");
    writeFileSync(join(dir, "Dockerfile"), "FROM debian\n");
    expect(await buildCacheKey(dir, "go1.26.8")).toBe(key);

    writeFileSync(join(dir, "llmstream", "stream.go"), "package llmstream // changed\n");
    expect(await buildCacheKey(dir, "go1.26.8")).not.toBe(key);
  });

  it("names a versioned folder", () => {
    expect(loadgenBuildDir("/c/meshproof/tools", "abc123def456")).toBe("/c/meshproof/tools/loadgen-abc123def456");
  });
});

interface Exit {
  code: number | null;
  output: string;
}

/** Run scripts/setup.ts as `npm run setup` would, with a 90 s limit. */
function runSetup(env: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, SETUP], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`setup did not finish within 90 s:\n${output}`));
    }, 90_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

describe("npm run setup (real process)", () => {
  it("fails with exit 4 and says to install Go when there is none", async () => {
    const env = envWithout("LOADGEN_BIN", "GO_BIN");
    env.PATH = join(scratch, "empty-path");
    env.XDG_CACHE_HOME = join(scratch, "cache");
    const { code, output } = await runSetup(env);
    expect(code).toBe(4);
    expect(output).toMatch(/setup failed: Go is not installed: install Go >= 1\.25/);
  });

  it("refuses a LOADGEN_BIN that is not this checkout's loadgen", async () => {
    const fake = join(scratch, "loadgen");
    writeFileSync(fake, "#!/bin/sh\necho 'meshproof loadgen v0.0.1'\n");
    chmodSync(fake, 0o755);
    const env = envWithout("GO_BIN");
    env.LOADGEN_BIN = fake;
    env.XDG_CACHE_HOME = join(scratch, "cache");
    const { code, output } = await runSetup(env);
    expect(code).toBe(4);
    expect(output).toContain(`is not meshproof loadgen ${LOADGEN_VERSION}`);
  });

  it("is quick and changes nothing when everything is there", async () => {
    // Needs a completed `npm run setup` for the current sources.
    const loadgen = findTool("loadgen", { env: envWithout("LOADGEN_BIN") });
    expect(loadgen.source, "run `npm run setup` before this test").toBe("cache");
    expect(existsSync(join(LOADGEN_SOURCES, "go.mod"))).toBe(true);

    const { code, output } = await runSetup(envWithout("LOADGEN_BIN"));
    expect(code, output).toBe(0);
    expect(output.match(/^\[\d\/3\] .*: already there in /gm)?.length, output).toBe(3);
    expect(output, "the host cluster's Istio build is reused").toMatch(/^\[istio\] Istio: already there in /m);
    expect(output).not.toContain("building with");
    expect(output).toContain(loadgen.path);
    expect(output).not.toMatch(/\bk6\b/);
  });
});
