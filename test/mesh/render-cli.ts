/**
 * Running a mesh CLI offline in tests: its stdout parsed as Kubernetes objects. The binaries
 * come from `npm run setup` (src/core/tools.ts resolves them); a missing one fails the test
 * with what to do, it never skips.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/plan/steps.js";

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Exit code and output; a CLI that runs past `timeoutMs` is killed and reported as a failure. */
export async function runCli(argv: string[], timeoutMs = 60_000): Promise<CliResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error("empty argv");
  try {
    const { stdout, stderr } = await run(file, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? e.message };
  }
}

/** The objects of a multi-document YAML stream (empty documents dropped). */
export function kubeObjects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === "object" && typeof o.kind === "string");
}

/** Render or fail the test with the CLI's own message. */
export async function render(argv: string[]): Promise<KubeObject[]> {
  const result = await runCli(argv);
  if (result.code !== 0) throw new Error(`${argv.join(" ")} exited ${result.code}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return kubeObjects(result.stdout);
}
