/**
 * Argv builders for the three CLIs the Istio plans run. Pure functions of their inputs, so the
 * plans are data a test can compare; the kube context is passed as each CLI spells its flag.
 */

/** Named limits for every Istio step, so plan.json says what each one waits for. */
export const ISTIO_TIMEOUTS = {
  cliCheck: 30_000,
  /** istioctl waits up to its --readiness-timeout for the components; the step allows more. */
  install: 10 * 60_000,
  readinessFlag: "5m",
  rollout: 5 * 60_000,
  proxyStatus: 2 * 60_000,
  label: 30_000,
  restart: 60_000,
  uninstall: 5 * 60_000,
  delete: 3 * 60_000,
} as const;

export function kubectl(context: string | undefined, ...args: string[]): string[] {
  return context ? ["kubectl", "--context", context, ...args] : ["kubectl", ...args];
}

export function istioctl(context: string | undefined, ...args: string[]): string[] {
  return context ? ["istioctl", "--context", context, ...args] : ["istioctl", ...args];
}

export function helm(context: string | undefined, ...args: string[]): string[] {
  return context ? ["helm", "--kube-context", context, ...args] : ["helm", ...args];
}

/**
 * Runs the project's own check that the istioctl on PATH is the version to install: istioctl
 * installs the charts compiled into it, so a 1.29 CLI with `--set tag=1.30.3` would install
 * 1.29 manifests with 1.30 images. Relative to the repository root, where the CLI runs.
 */
export function istioctlVersionCheck(version: string): string[] {
  return ["npx", "tsx", "src/mesh/istio/check-istioctl.ts", "--expect", version];
}
