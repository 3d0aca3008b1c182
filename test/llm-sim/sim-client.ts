/**
 * A small HTTP client for the sim's tests: it stamps every SSE event as it arrives, and reports a
 * cut connection as data instead of throwing, so tests can assert on aborts.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from "node:http";
import { performance } from "node:perf_hooks";
import { SseReader } from "../../fixtures/llm-sim/src/sse.js";

export interface TimedEvent {
  /** ms after the request was sent */
  at: number;
  data: string;
}

export interface TimedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  events: TimedEvent[];
  /** ms after the request was sent until the response headers arrived */
  headersAt: number;
  /** false when the connection broke before the response ended */
  complete: boolean;
  error?: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  agent?: Agent | false;
  timeoutMs?: number;
}

export function send(url: string, path: string, opts: RequestOptions = {}): Promise<TimedResponse> {
  const payload = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...opts.headers };
  if (payload !== undefined) headers["content-type"] ??= "application/json";
  return new Promise((resolve) => {
    const result: TimedResponse = { status: 0, headers: {}, body: "", events: [], headersAt: NaN, complete: false };
    let sentAt = performance.now();
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      if (error !== undefined) result.error = error;
      resolve(result);
    };
    const req = httpRequest(`${url}${path}`, { method: opts.method ?? (payload ? "POST" : "GET"), headers, agent: opts.agent ?? false }, (res) => {
      result.status = res.statusCode ?? 0;
      result.headers = res.headers;
      result.headersAt = performance.now() - sentAt;
      const reader = new SseReader();
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const at = performance.now() - sentAt;
        result.body += chunk;
        for (const data of reader.push(chunk)) result.events.push({ at, data });
      });
      res.on("end", () => {
        result.complete = true;
        finish();
      });
      res.on("error", (err) => finish(err.message));
      res.on("close", () => finish(result.complete ? undefined : "connection closed before the response ended"));
    });
    req.on("error", (err) => finish(err.message));
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error("client timeout")));
    req.end(payload, () => {
      sentAt = performance.now();
    });
  });
}

export const chat = (maxTokens: number, extra: Record<string, unknown> = {}) => ({
  model: "llm-sim",
  messages: [{ role: "user", content: "Say something about meshes." }],
  max_tokens: maxTokens,
  ...extra,
});

export const completion = (maxTokens: number, extra: Record<string, unknown> = {}) => ({
  model: "llm-sim",
  prompt: "Say something about meshes.",
  max_tokens: maxTokens,
  ...extra,
});

/** Token events of a stream: data events with a non-empty choices array. */
export function tokenEvents(response: TimedResponse): TimedEvent[] {
  return response.events.filter((e) => e.data !== "[DONE]" && (JSON.parse(e.data) as { choices: unknown[] }).choices.length > 0);
}

/** Sum of the samples of one series name whose labels include all of `labels`; 0 when none. */
export function metricSum(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split("}")[0] ?? "";
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) total += Number(line.split(" ").at(-1));
  }
  return total;
}
