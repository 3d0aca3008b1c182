/**
 * Durations in the Gateway API format (GEP-2257): one to four `<1-5 digits><h|m|s|ms>` parts,
 * e.g. "1m30s". The CRD enforces the pattern below, so a value that does not match would be
 * rejected at apply time; we reject it here instead, with the value that caused it.
 * Source: https://gateway-api.sigs.k8s.io/geps/gep-2257/ and the `Duration` pattern in
 * config/crd/standard/gateway.networking.k8s.io_httproutes.yaml at v1.5.1.
 */
export const GATEWAY_DURATION_PATTERN = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

const UNITS = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

export function gatewayDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`a Gateway API duration needs a positive whole number of milliseconds, got ${ms}`);
  let rest = ms;
  let text = "";
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  if (!GATEWAY_DURATION_PATTERN.test(text)) throw new Error(`${ms} ms cannot be written as a Gateway API duration (got "${text}"); use at most 99999 hours`);
  return text;
}
