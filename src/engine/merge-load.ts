/**
 * One LoadResult from the batches a sequential measure step drew: counts add up, histograms
 * merge exactly (HDR), rates are over the total time under load.
 */
import { mergeSummaries } from "../analysis/hdr.js";
import { mergeOutcomes, type FailedLatency, type LatencySummary, type LoadResult } from "../load/profile.js";

/**
 * Failed requests' latency, merged status by status; absent unless every batch timed its
 * failures, since a batch that did not would leave its failures out unseen.
 */
export function mergeFailedLatency(batches: readonly Pick<LoadResult, "failedLatency">[]): FailedLatency[] | undefined {
  if (batches.length === 0 || batches.some((b) => b.failedLatency === undefined)) return undefined;
  const byStatus = new Map<number, { e2e: LatencySummary[]; e2eFromSend: LatencySummary[] }>();
  for (const b of batches) {
    for (const f of b.failedLatency!) {
      const parts = byStatus.get(f.status) ?? { e2e: [], e2eFromSend: [] };
      parts.e2e.push(f.e2e);
      if (f.e2eFromSend) parts.e2eFromSend.push(f.e2eFromSend);
      byStatus.set(f.status, parts);
    }
  }
  return [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, parts]) => ({ status, e2e: mergeSummaries(parts.e2e), ...(parts.e2eFromSend.length > 0 ? { e2eFromSend: mergeSummaries(parts.e2eFromSend) } : {}) }));
}

export function mergeLoadResults(batches: readonly LoadResult[]): LoadResult {
  const [first, ...rest] = batches;
  if (!first) throw new Error("no load batches to merge");
  if (rest.length === 0) return first;
  const seconds = batches.reduce((a, b) => a + b.durationSeconds, 0);
  const requests = batches.reduce((a, b) => a + b.requests, 0);
  const failed = batches.reduce((a, b) => a + b.failed, 0);
  const merged = (pick: (b: LoadResult) => LatencySummary | undefined): LatencySummary | undefined => {
    const parts = batches.map(pick).filter((p): p is LatencySummary => p !== undefined);
    return parts.length > 0 ? mergeSummaries(parts) : undefined;
  };
  const ttft = merged((b) => b.latency.ttft);
  const itl = merged((b) => b.latency.itl);
  const tps = merged((b) => b.outputTokensPerSecond);
  const e2eFromSend = merged((b) => b.latency.e2eFromSend);
  const ttftFromSend = merged((b) => b.latency.ttftFromSend);
  const startDelay = merged((b) => b.startDelay);
  const failedLatency = mergeFailedLatency(batches);
  const sloParts = batches.map((b) => b.sloMet).filter((s) => s !== undefined);
  return {
    profile: first.profile,
    startedAt: first.startedAt,
    endedAt: batches[batches.length - 1]!.endedAt,
    durationSeconds: seconds,
    offeredRps: batches.reduce((a, b) => a + b.offeredRps * b.durationSeconds, 0) / seconds,
    achievedRps: requests / seconds,
    requests,
    failed,
    errorRate: requests > 0 ? failed / requests : 0,
    droppedIterations: batches.reduce((a, b) => a + b.droppedIterations, 0),
    outcomes: mergeOutcomes(batches.flatMap((b) => b.outcomes)),
    latency: { e2e: merged((b) => b.latency.e2e)!, ...(ttft ? { ttft } : {}), ...(itl ? { itl } : {}), ...(e2eFromSend ? { e2eFromSend } : {}), ...(ttftFromSend ? { ttftFromSend } : {}) },
    ...(failedLatency ? { failedLatency } : {}),
    ...(tps ? { outputTokensPerSecond: tps } : {}),
    ...(startDelay ? { startDelay } : {}),
    ...(sloParts.length > 0 ? { sloMet: { met: sloParts.reduce((a, s) => a + s.met, 0), total: sloParts.reduce((a, s) => a + s.total, 0) } } : {}),
    evidence: batches.flatMap((b) => b.evidence),
  };
}
