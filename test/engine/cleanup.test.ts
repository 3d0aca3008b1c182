import { describe, expect, it } from "vitest";
import { CleanupStack } from "../../src/core/cleanup.js";

describe("CleanupStack", () => {
  it("runs last-in-first-out", async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.push("cluster", () => void order.push("cluster"));
    stack.push("mesh", () => void order.push("mesh"));
    stack.push("policy", () => void order.push("policy"));
    await stack.runAll();
    expect(order).toEqual(["policy", "mesh", "cluster"]);
    expect(stack.size).toBe(0);
  });

  it("keeps going after an error and rethrows the first", async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.push("a", () => void order.push("a"));
    stack.push("b", () => {
      throw new Error("b broke");
    });
    stack.push("c", async () => {
      throw new Error("c broke");
    });
    const reports: string[] = [];
    await expect(stack.runAll((r) => reports.push(`${r.name}:${r.ok}`))).rejects.toThrow(/"c" failed: c broke/);
    expect(order).toEqual(["a"]);
    expect(reports).toEqual(["c:false", "b:false", "a:true"]);
  });

  it("lets a creator drop its entry once the thing is gone", async () => {
    const stack = new CleanupStack();
    const ran: string[] = [];
    const drop = stack.push("x", () => void ran.push("x"));
    drop();
    await stack.runAll();
    expect(ran).toEqual([]);
  });

  it("shares one pass between concurrent callers (a signal during teardown)", async () => {
    const stack = new CleanupStack();
    let runs = 0;
    stack.push("slow", () => new Promise<void>((r) => setTimeout(() => (runs += 1, r()), 20)));
    await Promise.all([stack.runAll(), stack.runAll()]);
    expect(runs).toBe(1);
  });
});

describe("CleanupStack with --keep", () => {
  it("runs only what must always run (local processes) and keeps the rest registered", async () => {
    const ran: string[] = [];
    const stack = new CleanupStack();
    stack.push("delete stack", () => void ran.push("stack"));
    stack.push("stop llm-sim", () => void ran.push("sim"), { always: true });
    expect(stack.pending({ keepable: true })).toEqual(["delete stack"]);
    await stack.runAll(undefined, { onlyAlways: true });
    expect(ran).toEqual(["sim"]);
    expect(stack.pending()).toEqual(["delete stack"]);
  });
});
