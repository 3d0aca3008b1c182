import { describe, expect, it } from "vitest";
import { SSE_DONE, SseReader, sseDataPayloads, sseEvent } from "../../fixtures/llm-sim/src/sse.js";
import { completionBody, newCompletionMeta, tokenChunk, usageChunk, usageOf } from "../../fixtures/llm-sim/src/responses.js";

describe("SSE framing", () => {
  it("frames one JSON object per data event, and ends with [DONE]", () => {
    expect(sseEvent({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(SSE_DONE).toBe("data: [DONE]\n\n");
    expect(sseDataPayloads(sseEvent({ a: 1 }) + sseEvent({ b: 2 }) + SSE_DONE)).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("reassembles events split across chunks at any byte", () => {
    const body = sseEvent({ text: "one" }) + sseEvent({ text: "two" }) + SSE_DONE;
    for (let cut = 1; cut < body.length; cut++) {
      const reader = new SseReader();
      const payloads = [...reader.push(body.slice(0, cut)), ...reader.push(body.slice(cut))];
      expect(payloads).toEqual(['{"text":"one"}', '{"text":"two"}', "[DONE]"]);
      expect(reader.pending).toBe("");
    }
  });

  it("keeps an incomplete trailing event pending", () => {
    const reader = new SseReader();
    expect(reader.push('data: {"a":1}\n\ndata: {"b"')).toEqual(['{"a":1}']);
    expect(reader.pending).toBe('data: {"b"');
  });
});

describe("OpenAI chunk shapes", () => {
  it("chat chunks carry the role on the first token only, finish_reason on the last", () => {
    const meta = newCompletionMeta("chat", "m");
    const first = tokenChunk(meta, 0, "hello", null, false) as { object: string; choices: { delta: unknown; finish_reason: unknown }[] };
    const last = tokenChunk(meta, 1, " world", "stop", false) as typeof first;
    expect(first.object).toBe("chat.completion.chunk");
    expect(first.choices[0]!.delta).toEqual({ role: "assistant", content: "hello" });
    expect(last.choices[0]!.delta).toEqual({ content: " world" });
    expect(last.choices[0]!.finish_reason).toBe("stop");
    expect(meta.id).toMatch(/^chatcmpl-/);
  });

  it("completion chunks carry text, and usage: null when usage was asked for", () => {
    const meta = newCompletionMeta("completions", "m");
    const chunk = tokenChunk(meta, 0, "hi", null, true) as Record<string, unknown>;
    expect(chunk.object).toBe("text_completion");
    expect(chunk.choices).toEqual([{ index: 0, text: "hi", logprobs: null, finish_reason: null }]);
    expect(chunk.usage).toBeNull();
    expect("usage" in tokenChunk(meta, 0, "hi", null, false)).toBe(false);
  });

  it("the usage chunk has no choices and the totals", () => {
    const meta = newCompletionMeta("chat", "m");
    expect(usageChunk(meta, usageOf(3, 4))).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
  });

  it("whole completions use message for chat and text for completions", () => {
    expect(completionBody(newCompletionMeta("chat", "m"), "x", "stop", usageOf(1, 1))).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { role: "assistant", content: "x" }, finish_reason: "stop" }],
    });
    expect(completionBody(newCompletionMeta("completions", "m"), "x", "length", usageOf(1, 1))).toMatchObject({
      object: "text_completion",
      choices: [{ text: "x", finish_reason: "length" }],
    });
  });
});
