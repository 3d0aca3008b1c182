/**
 * Locating the Prometheus and Pushgateway binaries for the tests that start them. A missing binary
 * fails the test with what to install: these tests never skip silently.
 * Stand-in until src/engine/tools.ts (findTool) lands; then this delegates to it.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

type ServerTool = "prometheus" | "pushgateway";

const CANDIDATES: Record<ServerTool, { env: string; names: string[] }> = {
  prometheus: { env: "MESHPROOF_PROMETHEUS", names: ["prometheus"] },
  // Debian names the Pushgateway binary prometheus-pushgateway; upstream tarballs call it pushgateway.
  pushgateway: { env: "MESHPROOF_PUSHGATEWAY", names: ["prometheus-pushgateway", "pushgateway"] },
};

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
    `${tool} not found on PATH (looked for ${names.join(", ")}): install it (npm run setup, or apt-get install ${tool === "prometheus" ? "prometheus" : "prometheus-pushgateway"}) or set ${env}`,
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
