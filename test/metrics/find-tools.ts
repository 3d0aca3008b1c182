/**
 * Locating the Prometheus, Pushgateway and promtool binaries for the tests that run them. A missing binary
 * fails the test with what to install: these tests never skip silently.
 * Stand-in until src/engine/tools.ts (findTool) lands; then this delegates to it.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

type ServerTool = "prometheus" | "pushgateway" | "promtool";

const CANDIDATES: Record<ServerTool, { env: string; names: string[] }> = {
  prometheus: { env: "MESHPROOF_PROMETHEUS", names: ["prometheus"] },
  // Debian names the Pushgateway binary prometheus-pushgateway; upstream tarballs call it pushgateway.
  pushgateway: { env: "MESHPROOF_PUSHGATEWAY", names: ["prometheus-pushgateway", "pushgateway"] },
  // Ships with Prometheus (Debian: the prometheus package).
  promtool: { env: "MESHPROOF_PROMTOOL", names: ["promtool"] },
};

const PACKAGE: Record<ServerTool, string> = { prometheus: "prometheus", pushgateway: "prometheus-pushgateway", promtool: "prometheus" };

export function findServerTool(tool: ServerTool): string {
  const { env, names } = CANDIDATES[tool];
  const fromEnv = process.env[env];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`${env}=${fromEnv} is not an executable file: fix the path or unset it`);
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  throw new Error(
    `${tool} not found on PATH (looked for ${names.join(", ")}): install it (npm run setup, or apt-get install ${PACKAGE[tool]}) or set ${env}`,
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
