import { describe, expect, it } from "vitest";
import { SSE_DONE, SseReader, sseDataPayloads, sseEvent } from "../../fixtures/llm-sim/src/sse.js";
import { StreamEvents, completionBody, completionText, newCompletionMeta, tokenText, usageChunk, usageOf } from "../../fixtures/llm-sim/src/responses.js";

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
  /** The one payload of an event string, parsed. */
  const parse = (event: string) => {
    expect(event.startsWith("data: ") && event.endsWith("\n\n")).toBe(true);
    const payloads = sseDataPayloads(event);
    expect(payloads).toHaveLength(1);
    return JSON.parse(payloads[0]!) as Record<string, unknown> & { choices: Record<string, unknown>[] };
  };

  it("chat chunks carry the role on the first token only, finish_reason on the last", () => {
    const meta = newCompletionMeta("chat", "m");
    const events = new StreamEvents(meta, 5, false);
    const first = parse(events.token(0, null));
    const last = parse(events.token(1, "stop"));
    expect(first).toEqual({
      id: meta.id, object: "chat.completion.chunk", created: meta.created, model: "m",
      choices: [{ index: 0, delta: { role: "assistant", content: tokenText(0, 5) }, logprobs: null, finish_reason: null }],
    });
    expect(last.choices[0]!.delta).toEqual({ content: tokenText(1, 5) });
    expect(last.choices[0]!.finish_reason).toBe("stop");
    expect(meta.id).toMatch(/^chatcmpl-/);
  });

  it("completion chunks carry text, and usage: null when usage was asked for", () => {
    const meta = newCompletionMeta("completions", "a \"quoted\" model");
    const chunk = parse(new StreamEvents(meta, 0, true).token(2, null));
    expect(chunk.object).toBe("text_completion");
    expect(chunk.model).toBe('a "quoted" model');
    expect(chunk.choices).toEqual([{ index: 0, text: tokenText(2, 0), logprobs: null, finish_reason: null }]);
    expect(chunk.usage).toBeNull();
    expect("usage" in parse(new StreamEvents(meta, 0, false).token(0, null))).toBe(false);
  });

  it("the streamed tokens add up to the text of a whole completion", () => {
    const meta = newCompletionMeta("completions", "m");
    const events = new StreamEvents(meta, 7, false);
    const streamed = [0, 1, 2, 3].map((i) => parse(events.token(i, null)).choices[0]!.text).join("");
    expect(streamed).toBe(completionText(4, 7));
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
