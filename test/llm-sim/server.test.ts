/**
 * The sim in-process (startSim): health, admin endpoints and run-time faults.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startSim, type RunningSim } from "../../fixtures/llm-sim/src/index.js";
import { chat, completion, metricSum, send, tokenEvents } from "./sim-client.js";

const running: RunningSim[] = [];
async function sim(config: Parameters<typeof startSim>[0] = {}): Promise<RunningSim> {
  const s = await startSim({ ttftMs: 2, itlMs: 1, ...config });
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** Polls until `check` holds; every wait has its limit. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("health probes", () => {
  it("startup and ready wait for the configured startup time; live does not; completions get 503 meanwhile", async () => {
    const s = await sim({ startupMs: 400 });
    expect((await send(s.url, "/health/live")).status).toBe(200);
    expect((await send(s.url, "/health/startup")).status).toBe(503);
    expect((await send(s.url, "/health/ready")).status).toBe(503);
    const early = await send(s.url, "/v1/completions", { body: completion(1) });
    expect(early.status).toBe(503);
    expect(early.body).toContain("loading");
    await eventually(async () => (await send(s.url, "/health/startup")).status === 200);
    expect((await send(s.url, "/health/ready")).status).toBe(200);
    expect((await send(s.url, "/v1/completions", { body: completion(1) })).status).toBe(200);
  });

  it("readiness toggles at run time, by PUT /admin/ready and by setReady", async () => {
    const s = await sim();
    expect((await send(s.url, "/health/ready")).status).toBe(200);
    const put = await send(s.url, "/admin/ready", { method: "PUT", body: { ready: false } });
    expect(JSON.parse(put.body)).toEqual({ ready: false });
    expect((await send(s.url, "/health/ready")).status).toBe(503);
    expect(JSON.parse((await send(s.url, "/admin/ready")).body)).toEqual({ ready: false });
    s.setReady(true);
    expect((await send(s.url, "/health/ready")).status).toBe(200);
    expect((await send(s.url, "/admin/ready", { method: "PUT", body: { ready: "no" } })).status).toBe(400);
  });
});

describe("run-time faults", () => {
  it("GET shows the start-up faults; PUT changes only the fields it names", async () => {
    const s = await sim({ errorStatus: 502 });
    expect(JSON.parse((await send(s.url, "/admin/faults")).body)).toEqual({ errorRate: 0, errorStatus: 502, abortRate: 0, delayMs: 0 });
    const put = await send(s.url, "/admin/faults", { method: "PUT", body: { errorRate: 1 } });
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toEqual({ errorRate: 1, errorStatus: 502, abortRate: 0, delayMs: 0 });
    const failed = await send(s.url, "/v1/chat/completions", { body: chat(2) });
    expect(failed.status).toBe(502);
    expect(failed.body).toContain("error rate");
    s.setFaults({ errorRate: 0 });
    expect((await send(s.url, "/v1/chat/completions", { body: chat(2) })).status).toBe(200);
  });

  it("refuses bad faults with 400 and a message, and keeps the old ones", async () => {
    const s = await sim();
    for (const body of [{ errorRate: 1.5 }, { errorStatus: 200 }, { unknown: 1 }, "not json"]) {
      const res = await send(s.url, "/admin/faults", { method: "PUT", body: typeof body === "string" ? body : body });
      expect(res.status).toBe(400);
      expect((JSON.parse(res.body) as { error: { message: string } }).error.message.length).toBeGreaterThan(5);
    }
    expect(s.faults().errorRate).toBe(0);
    expect(() => s.setFaults({ abortRate: -1 })).toThrow(/abortRate/);
    expect((await send(s.url, "/admin/faults", { method: "POST", body: {} })).status).toBe(405);
  });

  it("an abort rate of 1 cuts every stream before [DONE]", async () => {
    const s = await sim({ abortRate: 1, seed: 3 });
    for (let i = 0; i < 5; i++) {
      const res = await send(s.url, "/v1/completions", { body: completion(6, { stream: true }) });
      expect(res.complete).toBe(false);
      expect(tokenEvents(res).length).toBeLessThan(6);
    }
  });

  it("a run-time delay holds every completion back", async () => {
    const s = await sim();
    s.setFaults({ delayMs: 150 });
    const res = await send(s.url, "/v1/completions", { body: completion(1) });
    expect(res.headersAt).toBeGreaterThanOrEqual(150);
  });
});

describe("requests that go wrong", () => {
  it("unknown paths are 404, wrong methods 405, both with OpenAI's envelope", async () => {
    const s = await sim();
    const missing = await send(s.url, "/v2/anything");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 404 } });
    const wrong = await send(s.url, "/v1/completions");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
  });

  it("a client that leaves mid-stream is counted once, as 499, and frees its slot", async () => {
    const s = await sim({ ttftMs: 10, itlMs: 30, maxRunning: 1 });
    await new Promise<void>((resolve) => {
      const req = request(`${s.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.end(JSON.stringify(chat(50, { stream: true })));
    });
    await eventually(async () => metricSum((await send(s.url, "/metrics")).body, "llmsim_requests_total", { status: "499" }) === 1);
    // The slot comes back by the next token's deadline at the latest (one gap: 30 ms here).
    await eventually(async () => metricSum((await send(s.url, "/metrics")).body, "vllm:num_requests_running") === 0);
    expect(metricSum((await send(s.url, "/metrics")).body, "llmsim_requests_total")).toBe(1);
    expect((await send(s.url, "/v1/completions", { body: completion(1) })).status).toBe(200);
  });
});

describe("in-process lifecycle", () => {
  it("picks a free port, reports its URL, and close() lets a running stream finish", async () => {
    const s = await startSim({ ttftMs: 20, itlMs: 20, graceMs: 5000 });
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.config.port).toBe(s.port);
    const stream = send(s.url, "/v1/chat/completions", { body: chat(10, { stream: true }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await s.close();
    const res = await stream;
    expect(res.complete).toBe(true);
    expect(res.events.at(-1)!.data).toBe("[DONE]");
  });

  it("says which port is taken", async () => {
    const s = await sim();
    await expect(startSim({ port: s.port })).rejects.toThrow(/in use/);
  });
});
