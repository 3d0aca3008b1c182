/**
 * The arrival schedule a LoadProfile asks k6 for, as numbers: how long it lasts and how many
 * requests per second it offers on average. Achieved rates are judged against these.
 */
import type { LoadProfile } from "./profile.js";

type Schedule = Pick<LoadProfile, "executor" | "rate" | "stages" | "durationSeconds">;

/** Length of the arrival schedule, excluding the graceful stop that lets requests finish. */
export function scheduledSeconds(profile: Schedule): number {
  if (profile.executor === "ramping-arrival-rate" && profile.stages.length > 0) {
    return profile.stages.reduce((total, stage) => total + stage.seconds, 0);
  }
  return profile.durationSeconds;
}

/** Requests the schedule starts in total: k6 ramps linearly between stage targets. */
export function scheduledRequests(profile: Schedule): number {
  if (profile.executor === "constant-arrival-rate" || profile.stages.length === 0) {
    return profile.rate * profile.durationSeconds;
  }
  let from = profile.rate;
  let total = 0;
  for (const stage of profile.stages) {
    total += ((from + stage.target) / 2) * stage.seconds;
    from = stage.target;
  }
  return total;
}

/** Mean offered rate over the schedule, in requests per second. */
export function offeredRps(profile: Schedule): number {
  const seconds = scheduledSeconds(profile);
  return seconds > 0 ? scheduledRequests(profile) / seconds : 0;
}
