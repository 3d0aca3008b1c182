/**
 * Cleanup registered the moment something is created, run last-in-first-out. Like Playwright's
 * teardown it keeps going after an error and rethrows the first, so one stuck delete never
 * leaves the rest of the run's resources behind.
 */
export interface CleanupEntry {
  name: string;
  run: () => Promise<void> | void;
  /** Runs even when the user asked to keep what the run created (a local process is never kept). */
  always?: boolean;
}

export interface CleanupReport {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

export class CleanupStack {
  private readonly entries: CleanupEntry[] = [];
  private running: Promise<CleanupReport[]> | undefined;

  /** Register an undo; returns a function that drops it (when the thing was removed early). */
  push(name: string, run: CleanupEntry["run"], opts: { always?: boolean } = {}): () => void {
    const entry: CleanupEntry = { name, run, ...(opts.always ? { always: true } : {}) };
    this.entries.push(entry);
    return () => {
      const at = this.entries.indexOf(entry);
      if (at >= 0) this.entries.splice(at, 1);
    };
  }

  get size(): number {
    return this.entries.length;
  }

  /** Names in the order they would run (only the keepable ones with `keepable`). */
  pending(opts: { keepable?: boolean } = {}): string[] {
    return this.entries.filter((e) => !opts.keepable || !e.always).map((e) => e.name).reverse();
  }

  /**
   * Run every entry, newest first. Concurrent callers (a signal arriving during normal
   * teardown) share one pass. Rethrows the first error after all entries ran.
   */
  async runAll(onEach?: (report: CleanupReport) => void, opts: { onlyAlways?: boolean } = {}): Promise<CleanupReport[]> {
    this.running ??= this.drain(onEach, opts.onlyAlways ?? false);
    const reports = await this.running;
    this.running = undefined;
    const firstFailure = reports.find((r) => !r.ok);
    if (firstFailure) {
      throw new Error(`cleanup "${firstFailure.name}" failed: ${firstFailure.error}`);
    }
    return reports;
  }

  private async drain(onEach: ((report: CleanupReport) => void) | undefined, onlyAlways: boolean): Promise<CleanupReport[]> {
    const reports: CleanupReport[] = [];
    const kept: CleanupEntry[] = [];
    for (let entry = this.entries.pop(); entry; entry = this.entries.pop()) {
      if (onlyAlways && !entry.always) {
        kept.unshift(entry);
        continue;
      }
      const started = performance.now();
      let report: CleanupReport;
      try {
        await entry.run();
        report = { name: entry.name, ok: true, ms: performance.now() - started };
      } catch (err) {
        report = { name: entry.name, ok: false, error: err instanceof Error ? err.message : String(err), ms: performance.now() - started };
      }
      reports.push(report);
      onEach?.(report);
    }
    this.entries.push(...kept);
    return reports;
  }
}
