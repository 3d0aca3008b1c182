/**
 * `go test ./...` of tools/loadgen, inside `npm test`: the schedule, the per-event stream
 * timing, the in-flight cap, graceful stop, timeouts and the HDR encoding are tested in Go.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findTool } from "../../src/core/tools.js";

const LOADGEN_DIR = fileURLToPath(new URL("../../tools/loadgen/", import.meta.url));

describe("tools/loadgen", () => {
  it("passes go vet and go test ./...", () => {
    const go = findTool("go"); // exit 4's hint says to install Go, which setup needs anyway
    const env = { ...process.env, CGO_ENABLED: "0" };
    const vet = spawnSync(go.path, ["vet", "./..."], { cwd: LOADGEN_DIR, env, encoding: "utf8", timeout: 240_000 });
    expect(vet.status, vet.stderr).toBe(0);
    const test = spawnSync(go.path, ["test", "-count=1", "./..."], { cwd: LOADGEN_DIR, env, encoding: "utf8", timeout: 240_000 });
    expect(test.status, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toMatch(/^ok\s+meshproof\/tools\/loadgen\s/m);
    expect(test.stdout).toMatch(/^ok\s+meshproof\/tools\/loadgen\/llmstream\s/m);
  }, 300_000);

  it("lists no AGPL module and no k6 among its modules", () => {
    const go = findTool("go");
    const list = spawnSync(go.path, ["list", "-m", "all"], { cwd: LOADGEN_DIR, encoding: "utf8", timeout: 120_000 });
    expect(list.status, list.stderr).toBe(0);
    // The AGPL load tester, its extensions and its vendor's modules must never come back.
    expect(list.stdout).not.toMatch(/k6|grafana/i);
    expect(list.stdout).toContain("github.com/HdrHistogram/hdrhistogram-go");
  }, 150_000);
});
