import { describe, expect, it } from "vitest";
import { AttemptCounter } from "../../fixtures/llm-sim/src/attempts.js";

describe("attempt counting by x-request-id", () => {
  it("counts repeats of one id and keeps ids apart", () => {
    const attempts = new AttemptCounter(10);
    expect([attempts.next("a"), attempts.next("a"), attempts.next("b"), attempts.next("a")]).toEqual([1, 2, 1, 3]);
  });

  it("calls every request without an id a first attempt", () => {
    const attempts = new AttemptCounter(10);
    expect([attempts.next(undefined), attempts.next(undefined), attempts.next("")]).toEqual([1, 1, 1]);
    expect(attempts.size).toBe(0);
  });

  it("forgets the least recently seen id when full, and only that one", () => {
    const attempts = new AttemptCounter(2);
    attempts.next("a");
    attempts.next("b");
    attempts.next("a"); // a is now the most recent
    attempts.next("c"); // evicts b
    expect(attempts.size).toBe(2);
    expect(attempts.next("a")).toBe(3);
    expect(attempts.next("b")).toBe(1);
  });

  it("refuses a capacity below one", () => {
    expect(() => new AttemptCounter(0)).toThrow(/at least 1/);
  });
});
