import { describe, expect, it } from "vitest";
import { simArgv } from "../../fixtures/llm-sim/src/index.js";
import { localStack, localStackSteps, localStackWithPorts, MANAGED_BY_LABEL, RUN_ID_LABEL } from "../../src/stack/index.js";

describe("local stack", () => {
  const stack = localStackWithPorts({ runId: "r1", versions: ["stable", "canary"], ports: { stable: 41001, canary: 41002 }, sim: { ttftMs: 5, itlMs: 2 } });

  it("runs one sim per version on loopback with its version and port", () => {
    expect(stack.processes.map((p) => [p.role, p.port, p.readyUrl])).toEqual([
      ["llm-sim-stable", 41001, "http://127.0.0.1:41001/health/ready"],
      ["llm-sim-canary", 41002, "http://127.0.0.1:41002/health/ready"],
    ]);
    expect(stack.processes[1]!.argv).toEqual(simArgv(["--port", "41002", "--host", "127.0.0.1", "--version", "canary", "--ttft-ms", "5", "--itl-ms", "2"]));
  });

  it("sends load to the stable version and scrapes each version with its label", () => {
    expect(stack.targetUrl).toBe("http://127.0.0.1:41001");
    expect(stack.urls).toEqual({ stable: "http://127.0.0.1:41001", canary: "http://127.0.0.1:41002" });
    expect(stack.scrapeTargets).toEqual([
      { job: "llm-sim", targets: ["127.0.0.1:41001"], labels: { version: "stable" } },
      { job: "llm-sim", targets: ["127.0.0.1:41002"], labels: { version: "canary" } },
    ]);
  });

  it("describes a Target with the run's labels", () => {
    expect(stack.target).toMatchObject({ service: "llm", port: 41001, versions: ["stable", "canary"], versionLabel: "version", selector: { app: "llm-sim" } });
    expect(stack.target.labels).toEqual({ [MANAGED_BY_LABEL]: "meshproof", [RUN_ID_LABEL]: "r1" });
  });

  it("becomes one process step per version with a readable name", () => {
    expect(stack.setup).toEqual(localStackSteps(stack));
    const steps = localStackSteps(stack, 10_000);
    expect(steps.map((s) => [s.kind, s.id, s.name, s.timeoutMs])).toEqual([
      ["process", "start-llm-sim-stable", "start llm-sim stable on port 41001", 10_000],
      ["process", "start-llm-sim-canary", "start llm-sim canary on port 41002", 10_000],
    ]);
  });

  it("adds a Prometheus step after the sims when given a binary, keeping its files in the run folder", () => {
    const withProm = localStackWithPorts({
      runId: "r1",
      versions: ["stable"],
      ports: { stable: 41001 },
      prometheus: "/opt/prometheus",
      runDir: "/runs/r1",
      prometheusPort: 41009,
    });
    expect(withProm.setup.map((s) => s.role)).toEqual(["llm-sim-stable", "prometheus"]);
    const prom = withProm.setup[1]!;
    expect(prom.readyUrl).toBe("http://127.0.0.1:41009/-/ready");
    expect(prom.argv).toEqual(expect.arrayContaining(["/opt/prometheus", "--config.file=/runs/r1/prometheus/prometheus.yml", "--storage.tsdb.path=/runs/r1/prometheus/tsdb"]));
    expect(withProm.prometheus!.configYaml).toContain("127.0.0.1:41001");
    expect(() => localStackWithPorts({ runId: "r1", versions: ["stable"], ports: { stable: 41001 }, prometheus: "/opt/prometheus" })).toThrow(/needs the run folder/);
  });

  // Planning does no I/O: the config travels in the start-prometheus step and is written when
  // that step runs, just before the process starts.
  it("plans the local Prometheus config without writing it; the process step writes it before the start", async () => {
    const { existsSync, readFileSync } = await import("node:fs");
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { executePlan } = await import("../../src/engine/executor.js");
    const { fakeEnv } = await import("../engine/fakes.js");
    const runDir = await mkdtemp(join(tmpdir(), "meshproof-local-"));
    try {
      const planned = await localStack({ runId: "r1", versions: ["stable", "canary"], prometheus: "/opt/prometheus", runDir });
      const ports = [...planned.processes.map((p) => p.port), planned.prometheus!.port];
      expect(new Set(ports).size).toBe(3);
      const configPath = planned.prometheus!.configPath;
      expect(existsSync(configPath)).toBe(false);
      const step = planned.setup.find((s) => s.role === "prometheus")!;
      expect(step.files).toEqual([{ path: configPath, content: planned.prometheus!.configYaml }]);

      const seenAtStart: Record<string, string | undefined> = {};
      const processes = {
        async start(o: { role: string; logDir: string }) {
          seenAtStart[o.role] = existsSync(configPath) ? readFileSync(configPath, "utf8") : undefined;
          return { pid: 1, logFile: join(o.logDir, `${o.role}.log`), stop: async () => undefined };
        },
      };
      const plan = {
        schemaVersion: 1 as const, runId: "r1", createdAt: "2026-01-01T00:00:00Z", command: "scenario" as const, name: "local", options: {},
        cluster: { name: "local", description: "local", setup: [step], teardown: [] },
        targetUrls: {}, targets: [],
      };
      await executePlan(plan as never, fakeEnv({ processes, runDir }));
      expect(seenAtStart.prometheus).toBe(planned.prometheus!.configYaml);
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  it("picks distinct free ports for versions without one", async () => {
    const picked = await localStack({ runId: "r1", versions: ["stable", "canary"], ports: { stable: 41001 } });
    expect(picked.processes[0]!.port).toBe(41001);
    expect(picked.processes[1]!.port).not.toBe(41001);
    expect(picked.processes[1]!.port).toBeGreaterThan(0);
  });

  it("refuses clashing or missing ports", () => {
    expect(() => localStackWithPorts({ runId: "r1", versions: ["a", "b"], ports: { a: 5000, b: 5000 } })).toThrow(/both given port 5000/);
    expect(() => localStackWithPorts({ runId: "r1", versions: ["a"], ports: {} })).toThrow(/needs a port/);
    expect(() => localStackWithPorts({ runId: "r1", versions: [], ports: {} })).toThrow(/at least one version/);
  });
});
