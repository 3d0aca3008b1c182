/**
 * A lock between processes on this machine: a folder created atomically (mkdir), holding the
 * holder's pid. Two meshproof runs that start the one host cluster at the same moment would
 * otherwise both start it and fight over its objects. A lock whose holder died is taken over.
 */
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EnvironmentError, formatMs } from "./errors.js";

export interface FileLockOptions {
  /** What the holder does, for the message when the wait runs out: "starting the host cluster". */
  what: string;
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Called once when the lock is held by another process, before waiting for it. */
  onWait?: (holder: number | undefined) => void;
}

/** A lock folder without a pid file this old was left by a process that died between mkdir and write. */
const PID_GRACE_MS = 10_000;

async function holderOf(lock: string): Promise<number | undefined> {
  const pid = Number(await readFile(join(lock, "pid"), "utf8").catch(() => ""));
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but is not ours.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function isStale(lock: string): Promise<boolean> {
  const holder = await holderOf(lock);
  if (holder !== undefined) return !alive(holder);
  const made = await stat(lock).then((s) => s.mtimeMs, () => undefined);
  return made !== undefined && Date.now() - made > PID_GRACE_MS;
}

/** Runs `work` holding the lock at `lock`, waiting at most `timeoutMs` for another holder; an EnvironmentError (exit 4) names it when the wait runs out. */
export async function withFileLock<T>(lock: string, work: () => Promise<T>, opts: FileLockOptions): Promise<T> {
  const started = Date.now();
  let told = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (await isStale(lock)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    const holder = await holderOf(lock);
    if (!told) opts.onWait?.(holder);
    told = true;
    if (Date.now() - started > opts.timeoutMs) {
      throw new EnvironmentError(
        `another process${holder ? ` (pid ${holder})` : ""} has been ${opts.what} for over ${formatMs(opts.timeoutMs)}`,
        `wait for it to finish, or stop it; if no such process runs, remove ${lock}`,
      );
    }
    await sleep(opts.pollMs ?? 500, undefined, opts.signal ? { signal: opts.signal } : undefined);
  }
  try {
    await writeFile(join(lock, "pid"), String(process.pid));
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
