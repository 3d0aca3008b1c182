/**
 * The GitHub Actions workflows pass actionlint (built by npm run setup at a pinned version):
 * expressions, contexts, action inputs, and the shell of every run step (actionlint runs
 * shellcheck when it is installed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTIONLINT_VERSION, actionlintPath } from "../../scripts/setup/actionlint.js";
import { toolsCacheDir } from "../../src/core/tools.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const BIN = actionlintPath(toolsCacheDir());

function actionlint(cwd: string, files: string[]) {
  if (!existsSync(BIN)) throw new Error(`actionlint ${ACTIONLINT_VERSION} is missing at ${BIN}: run npm run setup (it builds it with go install), or set ACTIONLINT_BIN`);
  const r = spawnSync(BIN, ["-color=false", ...files], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("GitHub Actions workflows", () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

  it("there is a nightly workflow", () => {
    expect(files).toContain("nightly.yml");
  });

  for (const file of files) {
    it(`${file} passes actionlint`, () => {
      const r = actionlint(ROOT, [path.join(".github/workflows", file)]);
      expect(r.out).toBe("");
      expect(r.code).toBe(0);
    });
  }

  it("actionlint catches a broken copy of the nightly workflow (the check can fail)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "meshproof-actionlint-"));
    mkdirSync(path.join(dir, ".github/workflows"), { recursive: true });
    const broken = readFileSync(path.join(WORKFLOWS, "nightly.yml"), "utf8").replace("steps.previous.outputs.found", "steps.previos.outputs.found");
    writeFileSync(path.join(dir, ".github/workflows/nightly.yml"), broken);
    const r = actionlint(dir, [".github/workflows/nightly.yml"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/previos/);
  });

  it("the nightly job runs the suite on kind, uploads reports, writes the summary and gates on the previous night", () => {
    const text = readFileSync(path.join(WORKFLOWS, "nightly.yml"), "utf8");
    // -s: npm's banner would otherwise open suite.jsonl, ahead of meshproof's JSON lines.
    expect(text).toMatch(/npm run -s suite -- nightly --mesh "\$MESHES" --cluster kind .*--json .*> suite\.jsonl/);
    expect(text).toContain("actions/upload-artifact@v4");
    expect(text).toContain(">> \"$GITHUB_STEP_SUMMARY\"");
    expect(text).toMatch(/npm run compare -- --gate "\$PREVIOUS" "\$REPORTS"/);
    expect(text).toContain("--pushgateway");
  });
});
