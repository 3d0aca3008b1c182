/**
 * The peer identity a request carried, read from the x-forwarded-client-cert header the server
 * sidecar adds and the backend echoes (llm-sim as x-llm-peer-xfcc).
 *
 * Format (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-client-cert):
 * elements separated by ",", one per proxy hop, the last added by the nearest proxy; each element
 * is ";"-separated key=value pairs (By, Hash, Cert, Chain, Subject, URI, DNS); a value holding
 * "," ";" or "=" is double-quoted, with inner quotes escaped as \". URI is the client
 * certificate's URI SAN, the SPIFFE ID spiffe://<trust domain>/ns/<ns>/sa/<sa> in Istio.
 */

/** Echo header names, in the order they are tried (lower case). */
export const XFCC_HEADERS = ["x-llm-peer-xfcc", "x-forwarded-client-cert"] as const;

export function identityOf(echoedHeaders: Record<string, string>): string | undefined {
  const lowered = new Map(Object.entries(echoedHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of XFCC_HEADERS) {
    const value = lowered.get(name);
    if (value) {
      const identity = spiffeIdFromXfcc(value);
      if (identity) return identity;
    }
  }
  return undefined;
}

/** The SPIFFE ID of the client of the nearest hop, or undefined if the header names none. */
export function spiffeIdFromXfcc(xfcc: string): string | undefined {
  const elements = splitOutsideQuotes(xfcc, ",");
  for (const element of elements.reverse()) {
    for (const pair of splitOutsideQuotes(element, ";")) {
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim();
      const value = unquote(pair.slice(eq + 1).trim());
      if (key.toUpperCase() === "URI" && value.startsWith("spiffe://")) return value;
    }
  }
  return undefined;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && quoted && i + 1 < text.length) {
      current += c + text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.filter((p) => p.trim() !== "");
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\"/g, '"');
  return value;
}
