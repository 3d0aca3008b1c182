import { describe, expect, it } from "vitest";
import { outputLength, parseCompletionRequest, type CompletionRequest } from "../../fixtures/llm-sim/src/request.js";

function parsed(endpoint: "chat" | "completions", body: unknown): CompletionRequest {
  const result = parseCompletionRequest(endpoint, body);
  if (!result.ok) throw new Error(result.message);
  return result.request;
}

describe("completion requests", () => {
  it("reads streaming, usage and max_tokens", () => {
    expect(parsed("chat", { messages: [{ role: "user", content: "abcdefgh" }], stream: true, stream_options: { include_usage: true }, max_tokens: 7 })).toEqual({
      endpoint: "chat", stream: true, includeUsage: true, maxTokens: 7, promptTokens: 3,
    });
    expect(parsed("completions", { prompt: "abcd" })).toEqual({ endpoint: "completions", stream: false, includeUsage: false, promptTokens: 1 });
  });

  it("takes chat's max_completion_tokens, and treats null as absent", () => {
    expect(parsed("chat", { messages: [{ role: "user", content: "x" }], max_completion_tokens: 9 }).maxTokens).toBe(9);
    expect(parsed("completions", { prompt: "x", max_tokens: null }).maxTokens).toBeUndefined();
  });

  it("ignores include_usage without streaming", () => {
    expect(parsed("completions", { prompt: "x", stream_options: { include_usage: true } }).includeUsage).toBe(false);
  });

  it("accepts prompt arrays and token ids", () => {
    expect(parsed("completions", { prompt: ["abcd", "efgh"] }).promptTokens).toBe(2);
    expect(parsed("completions", { prompt: [1, 2, 3] }).promptTokens).toBe(3);
  });

  it("says what is wrong with a bad request", () => {
    const cases: [("chat" | "completions"), unknown, RegExp][] = [
      ["chat", [], /JSON object/],
      ["chat", { messages: [] }, /messages/],
      ["completions", { messages: [{ role: "user", content: "x" }] }, /prompt/],
      ["completions", { prompt: "x", max_tokens: 0 }, /max_tokens/],
      ["completions", { prompt: "x", max_tokens: 2.5 }, /max_tokens/],
      ["completions", { prompt: "x", stream: "yes" }, /stream/],
    ];
    for (const [endpoint, body, message] of cases) {
      const result = parseCompletionRequest(endpoint, body);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(message);
    }
  });

  it("output length: max_tokens capped by --output-tokens, which is also the default", () => {
    const base = { endpoint: "chat", stream: false, includeUsage: false, promptTokens: 1 } as const;
    expect(outputLength({ ...base, maxTokens: 8 }, 64)).toEqual({ tokens: 8, finishReason: "length" });
    expect(outputLength({ ...base, maxTokens: 100 }, 64)).toEqual({ tokens: 64, finishReason: "stop" });
    expect(outputLength(base, 64)).toEqual({ tokens: 64, finishReason: "stop" });
  });
});
