import { describe, expect, it } from "vitest";
import { ConvergenceTracker } from "../../src/analysis/convergence.js";
import type { Verdict } from "../../src/analysis/verdict.js";

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const verdict = (status: Verdict["status"], checkId = "canary"): Verdict => ({ checkId, claim: "10% to canary", status, reason: `window ${status}`, evidence: [] });

describe("ConvergenceTracker", () => {
  it("converges after N consecutive agreeing windows and reports when the final run began", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 3, maxMs: 60_000, clock: clock.now });
    clock.advance(5_000);
    expect(t.observe([verdict("fail")], true)).toBe("waiting");
    clock.advance(5_000);
    expect(t.observe([verdict("pass")])).toBe("waiting");
    clock.advance(5_000);
    expect(t.observe([verdict("inconclusive")])).toBe("waiting");
    for (const at of [20_000, 25_000]) {
      clock.advance(5_000);
      expect(t.observe([verdict("pass")])).toBe("waiting");
      expect(t.elapsedMs()).toBe(at);
    }
    clock.advance(5_000);
    expect(t.observe([verdict("pass")])).toBe("converged");
    const r = t.report();
    expect(r.converged).toBe(true);
    expect(r.diagnosis).toBe("converged");
    expect(r.timeToConvergeMs).toBe(20_000);
    expect(r.elapsedMs).toBe(30_000);
    expect(r.windowsObserved).toBe(6);
    expect(r.misses.map((m) => m.atMs)).toEqual([5_000, 15_000]);
    expect(r.misses[0]!.reason).toMatch(/canary fail/);
    expect(r.misses[0]!.matchesPrevious).toBe(true);
    // Terminal states are sticky.
    expect(t.observe([verdict("fail")])).toBe("converged");
  });

  it("diagnoses 'never applied' when the windows kept matching the previous policy", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 2, maxMs: 30_000, clock: clock.now });
    let state = "waiting";
    while (state === "waiting") {
      clock.advance(10_000);
      state = t.observe([verdict("fail")], true);
    }
    expect(state).toBe("timed-out");
    const r = t.report();
    expect(r.converged).toBe(false);
    expect(r.timeToConvergeMs).toBeNull();
    expect(r.diagnosis).toBe("never-applied");
    expect(r.misses).toHaveLength(3);
    expect(r.explanation).toMatch(/did not apply/);
  });

  it("diagnoses 'applied but wrong' when the windows left the previous policy but never matched the new one", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 2, maxMs: 30_000, clock: clock.now });
    clock.advance(10_000);
    t.observe([verdict("fail")], true);
    clock.advance(10_000);
    t.observe([verdict("fail")], false);
    clock.advance(10_000);
    expect(t.observe([verdict("fail")], false)).toBe("timed-out");
    expect(t.report().diagnosis).toBe("applied-but-wrong");
  });

  it("lets an agreeing run that began in time finish after the limit: slow but correct is converged", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 3, maxMs: 30_000, clock: clock.now });
    clock.advance(10_000);
    expect(t.observe([verdict("fail")], true)).toBe("waiting");
    clock.advance(15_000);
    expect(t.observe([verdict("pass")], false)).toBe("waiting");
    // The limit passes between two agreeing windows.
    clock.advance(15_000);
    expect(t.observe([verdict("pass")], false)).toBe("waiting");
    expect(t.state()).toBe("waiting");
    clock.advance(15_000);
    expect(t.observe([verdict("pass")], false)).toBe("converged");
    const r = t.report();
    expect(r.diagnosis).toBe("converged");
    expect(r.timeToConvergeMs).toBe(25_000);
  });

  it("after the limit, a miss ends it; a run that began after the limit is 'too slow', not 'applied but wrong'", () => {
    const clock = fakeClock();
    const late = new ConvergenceTracker({ windows: 3, maxMs: 30_000, clock: clock.now });
    clock.advance(20_000);
    late.observe([verdict("pass")], false);
    clock.advance(15_000);
    expect(late.observe([verdict("fail")], false)).toBe("timed-out");
    expect(late.report().diagnosis).toBe("applied-but-wrong");

    const slow = new ConvergenceTracker({ windows: 3, maxMs: 30_000, clock: clock.now });
    clock.advance(20_000);
    slow.observe([verdict("fail")], true);
    clock.advance(15_000);
    expect(slow.observe([verdict("pass")], false)).toBe("timed-out");
    const r = slow.report();
    expect(r.diagnosis).toBe("too-slow");
    expect(r.explanation).toMatch(/applied correctly, but late/);
  });

  it("stops when the caller has drawn all the windows it may, whatever the clock says", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 2, maxMs: 3_600_000, clock: clock.now });
    t.observe([verdict("fail")], true);
    expect(t.stop()).toBe("timed-out");
    expect(t.report().diagnosis).toBe("never-applied");
  });

  it("calls flapping windows 'applied but wrong' too, with an explanation that says so", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 3, maxMs: 40_000, clock: clock.now });
    // The run that began at 30 s may finish after the limit; the miss at 50 s ends it.
    for (const s of ["pass", "fail", "pass", "pass", "fail"] as const) {
      clock.advance(10_000);
      t.observe([verdict(s)], false);
    }
    const r = t.report();
    expect(r.diagnosis).toBe("applied-but-wrong");
    expect(r.explanation).toMatch(/flapping/);
  });

  it("cannot tell applied from not applied without the comparison, and says so", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 1, maxMs: 10_000, clock: clock.now });
    clock.advance(10_000);
    expect(t.observe([verdict("fail")])).toBe("timed-out");
    expect(t.report().diagnosis).toBe("timed-out");
    expect(t.report().explanation).toMatch(/cannot be told apart/);
  });

  it("times out on the clock alone when no window arrives", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 1, maxMs: 5_000, clock: clock.now });
    expect(t.state()).toBe("waiting");
    clock.advance(5_000);
    expect(t.state()).toBe("timed-out");
  });

  it("ignores unsupported verdicts and treats an empty window as a miss", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 1, maxMs: 60_000, clock: clock.now });
    clock.advance(1_000);
    expect(t.observe([])).toBe("waiting");
    expect(t.report().misses[0]!.reason).toMatch(/no verdicts/);
    clock.advance(1_000);
    expect(t.observe([verdict("pass"), verdict("unsupported", "mtls")])).toBe("converged");
  });

  it("rejects impossible settings with a message", () => {
    expect(() => new ConvergenceTracker({ windows: 0, maxMs: 1000 })).toThrow(/windows/);
    expect(() => new ConvergenceTracker({ windows: 2, maxMs: 0 })).toThrow(/maxMs/);
  });
});

describe("an earlier limit that ends the wait only on a disagreeing window (a mutant's)", () => {
  it("past it, the first disagreeing window times out at that limit, and the report names it", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 2, maxMs: 180_000, stopDisagreeingAfterMs: 45_000, clock: clock.now });
    for (let at = 6_000; at < 45_000; at += 6_000) {
      clock.advance(6_000);
      expect(t.observe([verdict("fail")], true)).toBe("waiting");
    }
    clock.advance(6_000); // 48 s
    expect(t.observe([verdict("fail")], true)).toBe("timed-out");
    expect(t.report()).toMatchObject({ converged: false, maxMs: 45_000, diagnosis: "never-applied", explanation: expect.stringMatching(/within 45000 ms/) });
  });

  it("an agreeing window past it keeps the wait going to maxMs, so a right but slow change still converges", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 2, maxMs: 180_000, stopDisagreeingAfterMs: 45_000, clock: clock.now });
    clock.advance(44_000);
    expect(t.observe([verdict("fail")], true)).toBe("waiting");
    clock.advance(6_000); // 50 s: agrees, after the early limit
    expect(t.observe([verdict("pass")])).toBe("waiting");
    clock.advance(6_000);
    expect(t.observe([verdict("pass")])).toBe("converged");
    expect(t.report()).toMatchObject({ converged: true, timeToConvergeMs: 50_000, maxMs: 180_000 });
    // The wrong twin, a plain 45 s maxMs, calls the same windows late: not converged ("too slow").
    const plain = fakeClock();
    const p = new ConvergenceTracker({ windows: 2, maxMs: 45_000, clock: plain.now });
    plain.advance(44_000);
    p.observe([verdict("fail")], true);
    plain.advance(6_000);
    expect(p.observe([verdict("pass")])).toBe("timed-out");
    expect(p.report().diagnosis).toBe("too-slow");
  });

  it("an early limit at or past maxMs changes nothing", () => {
    const clock = fakeClock();
    const t = new ConvergenceTracker({ windows: 1, maxMs: 10_000, stopDisagreeingAfterMs: 20_000, clock: clock.now });
    clock.advance(12_000);
    expect(t.observe([verdict("fail")])).toBe("timed-out");
    expect(t.report().maxMs).toBe(10_000);
  });
});
