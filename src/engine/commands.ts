/**
 * Runs the CLIs a plan names (kind, kubectl, istioctl, linkerd, helm, gcloud, ctr, tsx) through zx.
 * Each argv[0] is resolved like every other tool (env var, setup cache, PATH) so a user can
 * point meshproof at a specific istioctl, and a missing CLI becomes an EnvironmentError (exit 4)
 * naming what to install instead of a shell's "command not found".
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ProcessOutput } from "zx";
import { EnvironmentError, formatMs } from "./errors.js";
import { tryFindTool, type ToolName } from "./tools.js";

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CommandRunner {
  run(argv: readonly string[], opts: { timeoutMs: number; input?: string; env?: Record<string, string>; signal?: AbortSignal }): Promise<CommandResult>;
}

const TOOL_OF: Record<string, ToolName> = {
  kubectl: "kubectl",
  kind: "kind",
  istioctl: "istioctl",
  linkerd: "linkerd",
  helm: "helm",
  gcloud: "gcloud",
};

/** What to install for each CLI a plan may name. */
const INSTALL_HINT: Record<string, string> = {
  kubectl: "install kubectl (https://kubernetes.io/docs/tasks/tools/) or set KUBECTL_BIN",
  kind: "install kind v0.33.0 (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) or set KIND_BIN, or pass --cluster current",
  istioctl: "install istioctl matching the Istio version (https://istio.io/latest/docs/setup/install/istioctl/) or set ISTIOCTL_BIN",
  linkerd: "install the linkerd CLI of the pinned version (https://linkerd.io/2/getting-started/) or set LINKERD_BIN",
  helm: "install helm 3 (https://helm.sh/docs/intro/install/) or set HELM_BIN",
  gcloud: "install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install) or set GCLOUD_BIN",
  ctr: "run `npm run setup` (installs Debian's containerd, which ships ctr)",
  docker: "install Docker and start it, or pass --cluster current with images already in your registry",
};

/** meshproof's own TypeScript commands (the host cluster's) run with this repository's tsx. */
const REPO_TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

export function resolveArgv0(argv0: string): string {
  if (argv0 === "tsx") return existsSync(REPO_TSX) ? REPO_TSX : argv0;
  const tool = TOOL_OF[argv0];
  if (!tool) return argv0;
  return tryFindTool(tool)?.path ?? argv0;
}

export const zxCommandRunner: CommandRunner = {
  async run(argv, opts) {
    const [argv0, ...args] = argv;
    if (!argv0) throw new Error("empty command");
    const bin = resolveArgv0(argv0);
    const started = performance.now();
    // Loaded on first use: a dry-run never runs a command and should not pay for zx.
    const { $ } = await import("zx");
    const out: ProcessOutput = await $({
      nothrow: true,
      quiet: true,
      verbose: false,
      timeout: opts.timeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      env: { ...process.env, ...opts.env },
    })`${bin} ${args}`;
    const durationMs = performance.now() - started;
    const exitCode = out.exitCode ?? (out.signal ? 128 : 1);
    // bash answers 127 for a command it cannot find.
    if (exitCode === 127 && /not found|No such file/i.test(out.stderr)) {
      throw new EnvironmentError(`${argv0} is not installed (needed to run: ${argv.join(" ")})`, INSTALL_HINT[argv0] ?? `install ${argv0}`);
    }
    if (out.signal === "SIGTERM" && durationMs >= opts.timeoutMs) {
      return { exitCode: 124, stdout: out.stdout, stderr: `${out.stderr}\ntimed out after ${formatMs(opts.timeoutMs)}`, durationMs };
    }
    return { exitCode, stdout: out.stdout, stderr: out.stderr, durationMs };
  },
};

/** The tail of a command's stderr, for error messages that show what the tool said. */
export function tail(text: string, lines = 8): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}
