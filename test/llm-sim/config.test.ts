import { describe, expect, it } from "vitest";
import { UsageError, envNameOf, helpText, parseSimArgs } from "../../fixtures/llm-sim/src/cli.js";
import { resolveSimConfig } from "../../fixtures/llm-sim/src/config.js";

function configOf(argv: string[], env: Record<string, string> = {}) {
  const outcome = parseSimArgs(argv, env);
  if (outcome.kind !== "config") throw new Error("expected a config");
  return outcome.config;
}

function usageErrorOf(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseSimArgs(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("llm-sim configuration from flags and environment", () => {
  it("fills defaults when nothing is given", () => {
    const config = configOf([]);
    expect(config).toMatchObject({ port: 8000, host: "127.0.0.1", version: "stable", maxRunning: 256, errorRate: 0 });
    expect(config.seed).toBeUndefined();
  });

  it("reads every kind of flag", () => {
    const config = configOf([
      "--port", "0", "--host", "0.0.0.0", "--version", "canary", "--model", "google/gemma-2b-it",
      "--ttft-ms", "200", "--ttft-spread-ms", "5", "--itl-ms", "20", "--itl-spread-ms", "2.5",
      "--distribution", "lognormal", "--output-tokens", "32", "--max-running", "4", "--max-waiting", "0",
      "--error-rate", "0.25", "--error-status", "503", "--abort-rate", "0.1", "--startup-ms", "1500", "--seed", "42",
    ]);
    expect(config).toMatchObject({
      port: 0, host: "0.0.0.0", version: "canary", model: "google/gemma-2b-it", ttftMs: 200, ttftSpreadMs: 5,
      itlMs: 20, itlSpreadMs: 2.5, distribution: "lognormal", outputTokens: 32, maxRunning: 4, maxWaiting: 0,
      errorRate: 0.25, errorStatus: 503, abortRate: 0.1, startupMs: 1500, seed: 42,
    });
  });

  it("takes LLMSIM_* variables, and flags win over them", () => {
    expect(envNameOf("ttft-ms")).toBe("LLMSIM_TTFT_MS");
    const env = { LLMSIM_VERSION: "canary", LLMSIM_TTFT_MS: "150", LLMSIM_PORT: "9000" };
    expect(configOf([], env)).toMatchObject({ version: "canary", ttftMs: 150, port: 9000 });
    expect(configOf(["--ttft-ms", "80"], env)).toMatchObject({ version: "canary", ttftMs: 80 });
  });

  it("ignores empty variables rather than reading them as zero", () => {
    expect(configOf([], { LLMSIM_PORT: "" }).port).toBe(8000);
  });

  it("rejects a non-number with the flag's name", () => {
    expect(usageErrorOf(["--ttft-ms", "fast"])).toMatch(/^--ttft-ms expects a number, got "fast"/);
    expect(usageErrorOf([], { LLMSIM_ITL_MS: "1O" })).toMatch(/^LLMSIM_ITL_MS expects a number/);
  });

  it("rejects values out of range with the flag's name", () => {
    expect(usageErrorOf(["--error-rate", "2"])).toMatch(/^--error-rate: .*<=1/);
    expect(usageErrorOf(["--error-status", "200"])).toMatch(/^--error-status: /);
    expect(usageErrorOf(["--port", "70000"])).toMatch(/^--port: /);
    expect(usageErrorOf(["--max-running", "1.5"])).toMatch(/^--max-running: /);
    expect(usageErrorOf(["--distribution", "uniform"])).toMatch(/^--distribution: /);
    expect(usageErrorOf(["--version", "has space"])).toMatch(/^--version: /);
  });

  it("rejects unknown flags and stray arguments in one line", () => {
    const unknown = usageErrorOf(["--ttft", "5"]);
    expect(unknown).toMatch(/--ttft/);
    expect(unknown).not.toContain("\n");
    expect(usageErrorOf(["serve"])).toMatch(/serve/);
  });

  it("answers --help with every flag and its variable", () => {
    const outcome = parseSimArgs(["--help"]);
    expect(outcome.kind).toBe("help");
    const text = helpText();
    for (const flag of ["--port", "--host", "--version", "--model", "--ttft-ms", "--ttft-spread-ms", "--itl-ms", "--itl-spread-ms",
      "--output-tokens", "--max-running", "--max-waiting", "--error-rate", "--error-status", "--abort-rate", "--startup-ms", "--seed"]) {
      expect(text).toContain(flag);
      expect(text).toContain(envNameOf(flag.slice(2)));
    }
  });

  it("checks in-process configs too, naming the field", () => {
    expect(() => resolveSimConfig({ itlMs: -1 })).toThrow(/itlMs/);
    expect(resolveSimConfig({ itlMs: 5 }).itlMs).toBe(5);
  });
});
