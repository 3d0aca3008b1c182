/**
 * The caller's mesh identity as the server saw it. Linkerd's proxy adds `l5d-client-id` to
 * inbound requests that arrived over mutually-authenticated TLS (linkerd2 CHANGES.md, "Added the
 * l5d-client-id header on mutually-authenticated inbound requests"); the reference server echoes
 * it back as `x-llm-peer-l5d`. Identities look like
 * `<serviceaccount>.<namespace>.serviceaccount.identity.<control-plane-namespace>.<trust-domain>`
 * (https://linkerd.io/2.20/reference/authorization-policy/#meshtlsauthentication).
 */

/** Where the identity can be found among echoed headers, preferred first. */
export const ECHOED_IDENTITY_HEADERS = ["x-llm-peer-l5d", "l5d-client-id"] as const;

export function linkerdIdentityOf(echoedHeaders: Record<string, string>): string | undefined {
  const lower = new Map(Object.entries(echoedHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of ECHOED_IDENTITY_HEADERS) {
    const value = lower.get(name)?.trim();
    if (value) return value;
  }
  return undefined;
}

/** "namespace/serviceaccount" from a Linkerd identity, as authorization rules name callers. */
export function serviceAccountOfIdentity(identity: string): string | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.serviceaccount\.identity\./.exec(identity);
  return m ? `${m[3]}/${m[1]}` : undefined;
}
