/**
 * The labels every object meshproof creates carries (DESIGN section 7): `npm run clean` finds
 * leftovers by them, and evidence collection selects pods by them.
 */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "meshproof";
export const RUN_ID_LABEL = "meshproof.dev/run-id";

export function runLabels(runId: string): Record<string, string> {
  // Label values: at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric.
  if (!/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/.test(runId)) {
    throw new Error(`run id ${JSON.stringify(runId)} cannot be a Kubernetes label value: use up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
  }
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_ID_LABEL]: runId };
}
