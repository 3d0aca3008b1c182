/**
 * Locating the binaries the tests run. Prometheus and the Pushgateway resolve exactly as the
 * harness resolves them (src/core/tools.ts: env variable, setup cache, PATH); promtool, which
 * only tests use, is looked up beside them. A missing binary fails the test with what to install:
 * these tests never skip silently.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { findTool } from "../../src/core/tools.js";

type TestTool = "prometheus" | "pushgateway" | "promtool";

export function findServerTool(tool: TestTool): string {
  if (tool !== "promtool") return findTool(tool).path;
  // promtool ships with Prometheus: next to the prometheus that was found, else on PATH.
  const besidePrometheus = join(dirname(findTool("prometheus").path), "promtool");
  const candidates = [besidePrometheus, ...(process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "promtool"))];
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new Error("promtool not found beside prometheus or on PATH: it comes with Prometheus (npm run setup, or apt-get install prometheus)");
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
