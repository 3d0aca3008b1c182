import { describe, expect, it } from "vitest";
import { Admission } from "../../fixtures/llm-sim/src/admission.js";

async function isSettled(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe("admission: running slots, a waiting queue, refusal past it", () => {
  it("runs up to the limit, queues up to the queue size, then refuses", async () => {
    const admission = new Admission(2, 1);
    const a = admission.enter()!;
    const b = admission.enter()!;
    const c = admission.enter()!;
    expect(admission.enter()).toBeUndefined();
    expect([admission.running, admission.waiting]).toEqual([2, 1]);
    expect(await isSettled(a.admitted)).toBe(true);
    expect(await isSettled(c.admitted)).toBe(false);
    b.release();
    expect(await isSettled(c.admitted)).toBe(true);
    expect([admission.running, admission.waiting]).toEqual([2, 0]);
  });

  it("admits waiters in arrival order", async () => {
    const admission = new Admission(1, 3);
    const first = admission.enter()!;
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => {
      const ticket = admission.enter()!;
      void ticket.admitted.then(() => order.push(n));
      return ticket;
    });
    first.release();
    await new Promise((resolve) => setImmediate(resolve));
    waiters[0]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    waiters[1]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([1, 2, 3]);
  });

  it("lets a waiter leave the queue without taking a slot", async () => {
    const admission = new Admission(1, 2);
    const running = admission.enter()!;
    const leaver = admission.enter()!;
    const stayer = admission.enter()!;
    leaver.release();
    expect(admission.waiting).toBe(1);
    running.release();
    expect(await isSettled(stayer.admitted)).toBe(true);
    expect(await isSettled(leaver.admitted)).toBe(false);
    stayer.release();
    stayer.release(); // twice is harmless
    expect([admission.running, admission.waiting]).toEqual([0, 0]);
  });

  it("refuses at once when there is no queue", () => {
    const admission = new Admission(1, 0);
    admission.enter();
    expect(admission.enter()).toBeUndefined();
  });
});
