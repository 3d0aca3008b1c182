/**
 * Names and metadata shared by every rendered resource. Names are deterministic
 * (`<service>-<purpose>`) so that rendering the same intents twice yields the same objects, and a
 * later apply replaces what an earlier one created instead of adding to it.
 */
import type { Target } from "../intent.js";

/** What a Service name must be (RFC 1035 label); other kinds accept it too. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL_LENGTH = 63;

/**
 * `<service>-<purpose>`, checked against the strictest rule among the kinds meshproof names this
 * way (a Service name), so an over-long name fails here rather than at apply time.
 */
export function resourceName(target: Target, purpose: string): string {
  const name = `${target.service}-${purpose}`;
  if (name.length > MAX_LABEL_LENGTH || !DNS_1035_LABEL.test(name)) {
    throw new Error(
      `cannot name a resource "${name}": it must be a lower-case RFC 1035 label of at most ${MAX_LABEL_LENGTH} characters; ` +
        `shorten the service name "${target.service}" or the version/purpose "${purpose}"`,
    );
  }
  return name;
}

export interface Metadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every rendered object lives in the target's namespace and carries its labels (managed-by, run id). */
export function metadataFor(target: Target, name: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Metadata {
  const meta: Metadata = { name, namespace: target.namespace, labels: { ...target.labels, ...extra.labels } };
  if (extra.annotations && Object.keys(extra.annotations).length > 0) meta.annotations = { ...extra.annotations };
  return meta;
}
