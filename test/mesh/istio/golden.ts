/**
 * Golden files: what the renderer produces, as YAML a reviewer reads. A test compares the
 * rendering with the file; UPDATE_GOLDEN=1 rewrites the file instead.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import type { Rendered } from "../../../src/mesh/driver.js";

export const GOLDEN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../golden/istio");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

export function goldenYaml(title: string, rendered: Rendered): string {
  const header = [
    `# ${title}`,
    "# Rendered by the Istio driver; do not edit. Regenerate: UPDATE_GOLDEN=1 npx vitest run test/mesh/istio",
    ...(rendered.unsupported.length === 0
      ? ["# unsupported: none"]
      : rendered.unsupported.map((u) => `# unsupported: ${u.intent}: ${u.reason}`)),
  ];
  const docs = rendered.manifests.map((m) => stringify(m, { lineWidth: 0 }).trimEnd());
  return `${header.join("\n")}\n${docs.length ? `---\n${docs.join("\n---\n")}\n` : ""}`;
}

/** The golden text to compare against; rewritten (and returned) when UPDATE_GOLDEN=1. */
export function golden(file: string, actual: string): string {
  const full = path.join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(full, actual);
    return actual;
  }
  if (!existsSync(full)) throw new Error(`golden file ${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/mesh/istio and review it`);
  return readFileSync(full, "utf8");
}
