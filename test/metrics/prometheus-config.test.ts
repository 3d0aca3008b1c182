import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { prometheusArgv, prometheusConfig, prometheusConfigYaml, pushgatewayArgv } from "../../src/metrics/index.js";

describe("local Prometheus configuration", () => {
  it("puts targets sharing a job into one scrape config, each with its own labels", () => {
    const config = prometheusConfig(
      [
        { job: "llm-sim", targets: ["127.0.0.1:4001"], labels: { version: "stable" } },
        { job: "llm-sim", targets: ["127.0.0.1:4002"], labels: { version: "canary" } },
      ],
      1,
    );
    expect(config.scrape_configs).toEqual([
      {
        job_name: "llm-sim",
        metrics_path: "/metrics",
        scrape_interval: "1s",
        scrape_timeout: "1s",
        static_configs: [
          { targets: ["127.0.0.1:4001"], labels: { version: "stable" } },
          { targets: ["127.0.0.1:4002"], labels: { version: "canary" } },
        ],
      },
    ]);
  });

  it("never lets the scrape timeout exceed the interval, which Prometheus would reject", () => {
    expect(prometheusConfig([], 0.5).global).toEqual({ scrape_interval: "500ms", scrape_timeout: "500ms", evaluation_interval: "500ms" });
    expect(prometheusConfig([], 30).global.scrape_timeout).toBe("10s");
  });

  it("writes YAML that reads back as the same config", () => {
    const targets = [{ job: "a", targets: ["127.0.0.1:1"] }];
    expect(parse(prometheusConfigYaml(targets, 2))).toEqual(prometheusConfig(targets, 2));
  });

  it("refuses one job with two metrics paths", () => {
    expect(() =>
      prometheusConfig([
        { job: "a", targets: ["x:1"] },
        { job: "a", targets: ["x:2"], metricsPath: "/stats" },
      ]),
    ).toThrow(/one job name per path/);
  });
});

describe("server command lines", () => {
  it("keep Prometheus on loopback and its files in the data directory", () => {
    const argv = prometheusArgv({ binary: "/usr/bin/prometheus", configPath: "/runs/r1/prom/prometheus.yml", dataDir: "/runs/r1/prom", port: 9999 });
    expect(argv).toEqual([
      "/usr/bin/prometheus",
      "--config.file=/runs/r1/prom/prometheus.yml",
      "--web.listen-address=127.0.0.1:9999",
      "--storage.tsdb.path=/runs/r1/prom/tsdb",
      "--storage.tsdb.retention.time=1d",
      "--log.level=warn",
    ]);
  });

  it("keep the Pushgateway's state in memory unless a file is named", () => {
    expect(pushgatewayArgv({ binary: "pushgateway", port: 9091 })).toContain("--persistence.file=");
    expect(pushgatewayArgv({ binary: "pushgateway", port: 9091 })).toContain("--web.listen-address=127.0.0.1:9091");
    expect(pushgatewayArgv({ binary: "pushgateway", port: 9091, persistenceFile: "/runs/r1/pg.data" })).toContain("--persistence.file=/runs/r1/pg.data");
  });
});
