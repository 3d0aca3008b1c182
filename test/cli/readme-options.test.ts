/**
 * The README's option table names every option `scenario` and `suite` take (it once lacked
 * --cluster-name, --gke-*, --accelerator and --list).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";

const README = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
const COMMANDS = README.slice(README.indexOf("## Commands"), README.indexOf("### Backends"));

describe("the README's option table", () => {
  it.each(["scenario", "suite"])("lists every option of %s", (name) => {
    const command = buildProgram().commands.find((c) => c.name() === name)!;
    const flags = command.options.map((o) => o.long!).filter(Boolean);
    expect(flags.length).toBeGreaterThan(20);
    expect(flags.filter((flag) => !COMMANDS.includes(`\`${flag}`) && !COMMANDS.includes(`, \`${flag}`)), "missing from README's Commands").toEqual([]);
  });
});
