/**
 * The PromQL client's handling of what a real Prometheus rarely does on demand: special floats,
 * unreachable servers, and a series that appears only after some polls. A stub HTTP server on
 * loopback plays Prometheus; the real one is exercised in prometheus-pushgateway.test.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TimeoutError } from "../../src/core/errors.js";
import { freePort, promClient, PromQLError } from "../../src/metrics/index.js";

let server: Server;
let url: string;
let polls = 0;
const bodies: URLSearchParams[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const body = new URLSearchParams(raw);
      bodies.push(body);
      const query = body.get("query");
      res.setHeader("content-type", "application/json");
      if (query === "appears_later") {
        polls += 1;
        const result = polls < 3 ? [] : [{ metric: { version: "canary" }, value: [1700000000, "7"] }];
        res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
      } else if (query === "specials") {
        const result = [
          { metric: { q: "inf" }, value: [1, "+Inf"] },
          { metric: { q: "nan" }, value: [1, "NaN"] },
          { metric: { q: "neg" }, value: [1, "-Inf"] },
        ];
        res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
      } else if (query === "scalar(1)") {
        res.end(JSON.stringify({ status: "success", data: { resultType: "scalar", result: [5, "1"] } }));
      } else if (query === "range") {
        res.end(JSON.stringify({ status: "success", data: { resultType: "matrix", result: [{ metric: {}, values: [[1, "2"], [2, "3"]] }] } }));
      } else {
        res.statusCode = 422;
        res.end(JSON.stringify({ status: "error", errorType: "execution", error: "many-to-many matching not allowed" }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("PromQL client", () => {
  it("reads Prometheus' special float strings", async () => {
    const samples = await promClient(url).query("specials");
    expect(samples.map((s) => s.value)).toEqual([Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY]);
  });

  it("turns a scalar into one unlabelled sample and sends the evaluation time", async () => {
    const samples = await promClient(url).query("scalar(1)", new Date(5000));
    expect(samples).toEqual([{ labels: {}, time: 5, value: 1 }]);
    expect(bodies.at(-1)!.get("time")).toBe("5");
  });

  it("refuses a range vector from an instant query, naming queryRange", async () => {
    await expect(promClient(url).query("range")).rejects.toThrow(/use queryRange/);
  });

  it("reads range results", async () => {
    const series = await promClient(url).queryRange("range", 1, 2, 1);
    expect(series).toEqual([{ labels: {}, points: [{ time: 1, value: 2 }, { time: 2, value: 3 }] }]);
  });

  it("quotes the expression and Prometheus' error", async () => {
    const err = await promClient(url).query("a * on() b").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromQLError);
    expect((err as Error).message).toBe('PromQL query "a * on() b" failed: execution: many-to-many matching not allowed');
  });

  it("says Prometheus is unreachable, with its URL", async () => {
    const port = await freePort();
    const err = await promClient(`http://127.0.0.1:${port}`, { requestTimeoutMs: 2000 }).query("up").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromQLError);
    expect((err as PromQLError).errorType).toBe("unreachable");
    expect((err as Error).message).toContain(`http://127.0.0.1:${port}`);
  });

  it("waits for a series, counting empty answers as not yet", async () => {
    polls = 0;
    const samples = await promClient(url).waitForSeries("appears_later", (s) => s.length > 0, { timeoutMs: 10_000, intervalMs: 20 });
    expect(samples[0]!.value).toBe(7);
    expect(polls).toBe(3);
  });

  it("counts failed queries as not yet, and times out naming the last problem", async () => {
    const port = await freePort();
    const wait = promClient(`http://127.0.0.1:${port}`, { requestTimeoutMs: 500 }).waitForSeries("up", () => true, {
      timeoutMs: 300,
      intervalMs: 50,
      what: "up to be scraped",
    });
    const err = await wait.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/waiting for up to be scraped \(last: PromQL query "up" failed: unreachable/);
  });
});
