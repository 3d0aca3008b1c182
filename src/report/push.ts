/**
 * `--pushgateway URL`: a run's verdicts and key figures, read from its results record, pushed to
 * a Pushgateway through prom-client (src/metrics/pushgateway.ts), one group per scenario and mesh.
 */
import { pushResults, type PushableResults } from "../metrics/pushgateway.js";
import { keyFigures } from "./key-figures.js";
import type { RunResults } from "./results.js";

export function pushables(results: RunResults): PushableResults[] {
  const rows = keyFigures(results);
  return results.targets.flatMap((t) =>
    t.scenarios.map((sc) => ({
      runId: results.runId,
      scenario: sc.name,
      mesh: t.mesh,
      meshVersion: t.meshVersion,
      exitCode: results.summary.exitCode,
      verdicts: sc.verdicts,
      steps: rows
        .filter((r) => r.mesh === t.mesh && r.scenario === sc.name)
        .map((r) => ({
          step: r.stepId,
          latency: Object.fromEntries(Object.entries(r.latency).map(([m, q]) => [m, { p50: q.p50, p99: q.p99 }])),
          ...(r.errorRate !== null ? { errorRate: r.errorRate } : {}),
          ...(r.tokensPerSecond ? { tokensPerSecondP50: r.tokensPerSecond.p50 } : {}),
          achievedRps: r.achievedRps,
          ...(r.overhead?.e2eP99
            ? {
                overheadE2eP99: {
                  estimate: r.overhead.e2eP99.diff,
                  ...(r.overhead.e2eP99.interval ? { low: r.overhead.e2eP99.interval.low, high: r.overhead.e2eP99.interval.high } : {}),
                },
              }
            : {}),
        })),
    })),
  );
}

/** Pushes every group; returns how many. Errors name the URL and what to check. */
export async function pushRun(url: string, results: RunResults): Promise<number> {
  const groups = pushables(results);
  for (const g of groups) await pushResults(url, g);
  return groups.length;
}
