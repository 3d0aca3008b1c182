/**
 * The pure parts of the k6 script (fixtures/k6), run under Node: options as data, request
 * bodies, per-stream measurement and the goodput test.
 */
import { describe, expect, it } from "vitest";
import {
  EXEC_FOR_MODE,
  optionsFor,
  parseProfile,
  preAllocatedVUs,
  requestBody,
  scenarioFor,
} from "../../fixtures/k6/load-options.js";
import { measureStream, meetsSlo, parseSlo } from "../../fixtures/k6/openai-stream.js";
import { compactSummary } from "../../fixtures/k6/summary.js";
import { LoadProfile } from "../../src/load/profile.js";

const constant = LoadProfile.parse({
  name: "bench",
  executor: "constant-arrival-rate",
  rate: 50,
  durationSeconds: 60,
  mode: "stream",
  maxVUs: 300,
});

describe("k6 options from a LoadProfile", () => {
  it("builds one named constant-arrival-rate scenario that execs the stream function", () => {
    const options = optionsFor(constant);
    expect(Object.keys(options.scenarios ?? {})).toEqual(["bench"]);
    expect(options.scenarios?.bench).toEqual({
      executor: "constant-arrival-rate",
      rate: 50,
      timeUnit: "1s",
      duration: "60s",
      preAllocatedVUs: 50,
      maxVUs: 300,
      gracefulStop: "30s",
      exec: "streamChat",
      tags: { profile: "bench" },
    });
    expect(options.thresholds).toEqual({ "llm_requests{scenario:bench,ok:true}": ["count>0"] });
  });

  it("ramps through the profile's stages from its start rate", () => {
    const ramp = LoadProfile.parse({
      ...constant,
      executor: "ramping-arrival-rate",
      rate: 1,
      mode: "plain",
      stages: [
        { target: 100, seconds: 30 },
        { target: 0, seconds: 10 },
      ],
    });
    expect(scenarioFor(ramp)).toMatchObject({
      executor: "ramping-arrival-rate",
      startRate: 1,
      stages: [
        { target: 100, duration: "30s" },
        { target: 0, duration: "10s" },
      ],
      exec: EXEC_FOR_MODE.plain,
      preAllocatedVUs: 100,
    });
  });

  it("sizes preallocated VUs within [2, maxVUs]", () => {
    expect(preAllocatedVUs({ ...constant, rate: 0.5 })).toBe(2);
    expect(preAllocatedVUs({ ...constant, rate: 1000, maxVUs: 200 })).toBe(200);
  });

  it("adds a TTFT threshold per scenario when an SLO is given", () => {
    expect(optionsFor(constant, { ttftMs: 400 }).thresholds?.["llm_ttft{scenario:bench}"]).toEqual(["p(99)<=400"]);
  });

  it("parses the profile the driver sends and says what is missing otherwise", () => {
    expect(parseProfile(JSON.stringify(constant))).toEqual(constant);
    expect(() => parseProfile(undefined)).toThrow(/MESHPROOF_PROFILE is not set/);
    expect(() => parseProfile('{"name":"x"}')).toThrow(/lacks executor, rate, durationSeconds, mode, path, maxVUs/);
    expect(() => parseProfile("{nope")).toThrow(/not JSON/);
  });

  it("writes chat bodies for /chat/completions and prompts otherwise, asking for usage on streams", () => {
    expect(JSON.parse(requestBody(constant, "llm-sim", true))).toEqual({
      model: "llm-sim",
      messages: [{ role: "user", content: expect.any(String) }],
      max_tokens: 32,
      stream: true,
      stream_options: { include_usage: true },
    });
    const legacy = JSON.parse(requestBody({ ...constant, path: "/v1/completions" }, "m", false));
    expect(legacy).toEqual({ model: "m", prompt: expect.any(String), max_tokens: 32, stream: false });
  });
});

const chunk = (content: string) => JSON.stringify({ choices: [{ index: 0, delta: { content } }] });

describe("measureStream", () => {
  it("times TTFT and every inter-token gap from content events only", () => {
    const events = [
      { data: JSON.stringify({ choices: [{ delta: { role: "assistant" } }] }), atMs: 40 }, // no text yet
      { data: chunk("Hel"), atMs: 100 },
      { data: chunk("lo"), atMs: 110.5 },
      { data: chunk(""), atMs: 115 }, // empty delta: not a token
      { data: chunk(" world"), atMs: 125 },
      { data: JSON.stringify({ choices: [], usage: { completion_tokens: 3 } }), atMs: 126 },
      { data: "[DONE]", atMs: 127 },
    ];
    const m = measureStream(events, 127);
    expect(m.ttftMs).toBe(100);
    expect(m.itlMs).toEqual([10.5, 14.5]);
    expect(m.outputTokens).toBe(3);
    expect(m.e2eMs).toBe(127);
    expect(m.tpotMs).toBeCloseTo((127 - 100) / 2, 9);
    expect(m.outputTokensPerSecond).toBeCloseTo(3 / 0.127, 9);
  });

  it("counts content events when the server sends no usage, and legacy completion text", () => {
    const events = [
      { data: JSON.stringify({ choices: [{ text: "a" }] }), atMs: 50 },
      { data: JSON.stringify({ choices: [{ text: "b" }] }), atMs: 60 },
      { data: "not json", atMs: 61 },
    ];
    const m = measureStream(events, 70);
    expect(m.outputTokens).toBe(2);
    expect(m.itlMs).toEqual([10]);
  });

  it("has no TTFT or TPOT without content", () => {
    const m = measureStream([{ data: "[DONE]", atMs: 5 }], 5);
    expect(m.ttftMs).toBeUndefined();
    expect(m.tpotMs).toBeUndefined();
    expect(m.itlMs).toEqual([]);
  });
});

describe("goodput", () => {
  const slo = { ttftMs: 200, tpotMs: 20 };
  it("meets the SLO only when the request succeeded within both targets", () => {
    expect(meetsSlo(true, { ttftMs: 150, tpotMs: 15 }, slo)).toBe(true);
    expect(meetsSlo(true, { ttftMs: 200, tpotMs: 20 }, slo)).toBe(true);
    expect(meetsSlo(false, { ttftMs: 150, tpotMs: 15 }, slo)).toBe(false);
    expect(meetsSlo(true, { ttftMs: 201, tpotMs: 15 }, slo)).toBe(false);
    expect(meetsSlo(true, { ttftMs: 150, tpotMs: 21 }, slo)).toBe(false);
    expect(meetsSlo(true, { ttftMs: 150, tpotMs: undefined }, slo)).toBe(true); // one token
    expect(meetsSlo(true, { ttftMs: undefined, tpotMs: undefined }, slo)).toBe(false);
  });

  it("parses MESHPROOF_SLO strictly", () => {
    expect(parseSlo(undefined)).toBeUndefined();
    expect(parseSlo('{"ttftMs":500,"tpotMs":50}')).toEqual({ ttftMs: 500, tpotMs: 50 });
    expect(() => parseSlo('{"ttftMs":500}')).toThrow(/positive ttftMs and tpotMs/);
    expect(() => parseSlo("500")).toThrow(/positive ttftMs and tpotMs/);
  });
});

describe("compactSummary", () => {
  it("keeps meshproof's metrics and every threshold result", () => {
    const summary = compactSummary("bench", {
      state: { testRunDurationMs: 1234 },
      metrics: {
        llm_ttft: { type: "trend", values: { "p(99)": 120 } },
        "llm_requests{scenario:bench,ok:true}": {
          type: "counter",
          values: { count: 10 },
          thresholds: { "count>0": { ok: true } },
        },
        http_req_duration: { type: "trend", values: { avg: 1 } },
      },
    });
    expect(summary).toEqual({
      profile: "bench",
      testRunDurationMs: 1234,
      metrics: { llm_ttft: { "p(99)": 120 }, "llm_requests{scenario:bench,ok:true}": { count: 10 } },
      thresholds: [{ metric: "llm_requests{scenario:bench,ok:true}", expression: "count>0", ok: true }],
    });
  });
});
