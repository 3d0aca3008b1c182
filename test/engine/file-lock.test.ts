import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { EnvironmentError } from "../../src/core/errors.js";
import { withFileLock } from "../../src/core/file-lock.js";

const dirs: string[] = [];
function lockPath(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "meshproof-lock-"));
  dirs.push(dir);
  return path.join(dir, "lock");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Three holders' work, each counting who is inside: with the lock they never overlap. */
async function overlapOf(lock: (work: () => Promise<void>) => Promise<void>): Promise<number> {
  let inside = 0;
  let most = 0;
  const work = async () => {
    inside += 1;
    most = Math.max(most, inside);
    await sleep(50);
    inside -= 1;
  };
  await Promise.all([lock(work), lock(work), lock(work)]);
  return most;
}

describe("a file lock", () => {
  it("lets one holder in at a time, and is gone afterwards", async () => {
    const lock = lockPath();
    expect(await overlapOf((work) => withFileLock(lock, work, { what: "testing", timeoutMs: 60_000, pollMs: 5 }))).toBe(1);
    // The wrong twin: the same work without the lock overlaps.
    expect(await overlapOf((work) => work())).toBe(3);
    expect(existsSync(lock)).toBe(false);
  });

  it("is released when the work throws", async () => {
    const lock = lockPath();
    await expect(withFileLock(lock, async () => { throw new Error("boom"); }, { what: "testing", timeoutMs: 60_000 })).rejects.toThrow("boom");
    expect(existsSync(lock)).toBe(false);
  });

  it("is taken over when its holder died", async () => {
    const lock = lockPath();
    const child = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => child.on("exit", resolve));
    mkdirSync(lock);
    writeFileSync(path.join(lock, "pid"), String(child.pid));
    expect(await withFileLock(lock, async () => "mine", { what: "testing", timeoutMs: 60_000, pollMs: 5 })).toBe("mine");
  });

  it("held by a live process, ends the wait in an environment error naming it", async () => {
    const lock = lockPath();
    mkdirSync(lock);
    writeFileSync(path.join(lock, "pid"), String(process.pid));
    let told: number | undefined;
    const waiting = withFileLock(lock, async () => "never", { what: "starting the host cluster", timeoutMs: 20, pollMs: 5, onWait: (holder) => (told = holder) });
    await expect(waiting).rejects.toBeInstanceOf(EnvironmentError);
    await expect(waiting).rejects.toThrow(`another process (pid ${process.pid}) has been starting the host cluster`);
    expect(told).toBe(process.pid);
    expect(existsSync(lock)).toBe(true);
  });
});
