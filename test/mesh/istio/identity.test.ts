import { describe, expect, it } from "vitest";
import { identityOf, spiffeIdFromXfcc } from "../../../src/mesh/istio/index.js";

const HASH = "Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688";

describe("peer identity from the echoed x-forwarded-client-cert", () => {
  it("reads the client's SPIFFE ID from the URI key, as Istio's sidecar writes it", () => {
    const xfcc = `By=spiffe://cluster.local/ns/llm/sa/llm-sim;${HASH};Subject="";URI=spiffe://cluster.local/ns/llm/sa/loadgen`;
    expect(identityOf({ "x-llm-peer-xfcc": xfcc })).toBe("spiffe://cluster.local/ns/llm/sa/loadgen");
  });

  it("reads the header under either name, in any case", () => {
    const xfcc = `By=spiffe://a;URI=spiffe://cluster.local/ns/x/sa/y`;
    expect(identityOf({ "X-Forwarded-Client-Cert": xfcc })).toBe("spiffe://cluster.local/ns/x/sa/y");
  });

  it("takes the element of the nearest hop when several proxies appended one", () => {
    const xfcc = `By=spiffe://td/ns/a/sa/gw;URI=spiffe://td/ns/a/sa/first,By=spiffe://td/ns/b/sa/srv;URI=spiffe://td/ns/b/sa/second`;
    expect(spiffeIdFromXfcc(xfcc)).toBe("spiffe://td/ns/b/sa/second");
  });

  it("does not split inside quoted values, and unquotes", () => {
    const xfcc = `${HASH};Subject="CN=client,OU=a;b=c";URI="spiffe://cluster.local/ns/q/sa/quoted"`;
    expect(spiffeIdFromXfcc(xfcc)).toBe("spiffe://cluster.local/ns/q/sa/quoted");
  });

  it("skips a DNS or non-SPIFFE URI and returns undefined when there is no identity", () => {
    expect(spiffeIdFromXfcc(`${HASH};DNS=example.com;URI=https://example.com`)).toBeUndefined();
    expect(identityOf({})).toBeUndefined();
    expect(identityOf({ "x-llm-peer-xfcc": "" })).toBeUndefined();
  });
});
