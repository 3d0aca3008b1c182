import { describe, expect, it } from "vitest";
import { renderJunit } from "../../src/report/junit.js";
import type { RunResults } from "../../src/report/results.js";
import { HOSTILE, canaryRun, hostileRun } from "./fixtures.js";
import { childrenNamed, parseXml, type XmlNode } from "./xml-tree.js";

function suites(results: RunResults): { root: XmlNode; byName: Map<string, XmlNode> } {
  const root = parseXml(renderJunit(results));
  return { root, byName: new Map(childrenNamed(root, "testsuite").map((s) => [s.attributes["name"] as string, s])) };
}

function caseNamed(suite: XmlNode, checkId: string): XmlNode {
  const found = childrenNamed(suite, "testcase").find((c) => c.attributes["name"]?.startsWith(`${checkId}:`));
  if (!found) throw new Error(`no testcase for ${checkId}`);
  return found;
}

describe("renderJunit", () => {
  it("writes one testsuite per mesh and scenario, one testcase per verdict, with matching counts", () => {
    const { root, byName } = suites(canaryRun());
    expect(root.name).toBe("testsuites");
    expect([...byName.keys()]).toEqual(["istio/canary", "linkerd/canary"]);
    expect(root.attributes).toMatchObject({ tests: "6", failures: "1", errors: "1", skipped: "1" });
    const istio = byName.get("istio/canary") as XmlNode;
    expect(istio.attributes).toMatchObject({ tests: "3", failures: "1", errors: "0", skipped: "0" });
    expect(childrenNamed(istio, "testcase")).toHaveLength(3);
  });

  it("gives each case its own time: two checks judged by one 60.8 s step take 30.4 s each, not 60.8 s twice", () => {
    const { byName } = suites(canaryRun());
    const istio = byName.get("istio/canary") as XmlNode;
    expect(caseNamed(istio, "split-canary-share").attributes["time"]).toBe("30.400");
    expect(caseNamed(istio, "header-route-canary").attributes["time"]).toBe("30.400");
    expect(caseNamed(istio, "chaos-delay-share").attributes["time"]).toBe("61.000");
  });

  it("turns a fail into <failure> carrying observed, expected and the interval", () => {
    const { byName } = suites(canaryRun());
    const tc = caseNamed(byName.get("istio/canary") as XmlNode, "chaos-delay-share");
    const [failure] = childrenNamed(tc, "failure");
    expect(failure).toBeDefined();
    const message = failure?.attributes["message"] ?? "";
    expect(message).toContain("observed 4.1%");
    expect(message).toContain("expected 10.0% ±2.0 pts");
    expect(message).toContain("[3.1%, 5.3%] at 99.999%");
    expect(failure?.text).toContain("false-failure / false-pass probability: 1e-5 / 1e-3");
  });

  it("turns inconclusive into an <error type=inconclusive>, never a pass", () => {
    const { byName } = suites(canaryRun());
    const tc = caseNamed(byName.get("linkerd/canary") as XmlNode, "split-canary-share");
    const [error] = childrenNamed(tc, "error");
    expect(error?.attributes["type"]).toBe("inconclusive");
    expect(error?.attributes["message"]).toMatch(/^inconclusive: /);
  });

  it("turns unsupported into <skipped> with the mesh's reason, not a failure", () => {
    const { byName } = suites(canaryRun());
    const tc = caseNamed(byName.get("linkerd/canary") as XmlNode, "chaos-delay-share");
    expect(childrenNamed(tc, "failure")).toHaveLength(0);
    expect(childrenNamed(tc, "skipped")[0]?.attributes["message"]).toBe("not supported: linkerd cannot express the fault intent (delay)");
  });

  it("does not repeat 'not supported' when the engine's reason already says it", () => {
    const results = canaryRun();
    const v = results.targets[1]?.scenarios[0]?.verdicts.find((x) => x.status === "unsupported");
    if (!v) throw new Error("fixture lacks an unsupported verdict");
    v.reason = "not supported: no delay injection";
    const { byName } = suites(results);
    const tc = caseNamed(byName.get("linkerd/canary") as XmlNode, "chaos-delay-share");
    expect(childrenNamed(tc, "skipped")[0]?.attributes["message"]).toBe("not supported: no delay injection");
  });

  it("reports an errored scenario, a failed set-up step and an aborted run as errors", () => {
    const results = canaryRun();
    const target = results.targets[0];
    if (!target?.scenarios[0] || !target.setup[0]) throw new Error("fixture shape changed");
    target.scenarios[0].status = "error";
    target.scenarios[0].steps.push({ id: "apply-x", name: "apply the retry policy", kind: "apply", status: "failed", startedAt: results.startedAt, durationMs: 10, error: "kubectl apply exited 1: admission webhook denied" });
    target.setup[0].status = "failed";
    target.setup[0].error = "istioctl install exited 1";
    results.aborted = "interrupted (SIGINT)";
    const { root, byName } = suites(results);
    const scenarioCase = childrenNamed(byName.get("istio/canary") as XmlNode, "testcase").find((c) => c.attributes["name"] === "scenario ran to completion");
    expect(childrenNamed(scenarioCase as XmlNode, "error")[0]?.attributes["message"]).toContain("admission webhook denied");
    const setup = byName.get("istio/setup") as XmlNode;
    expect(childrenNamed(childrenNamed(setup, "testcase")[0] as XmlNode, "error")[0]?.attributes["message"]).toBe("istioctl install exited 1");
    expect(byName.get("meshproof/run")).toBeDefined();
    expect(Number(root.attributes["errors"])).toBe(4);
  });

  it("stays well-formed XML whatever the results contain, and keeps the text", () => {
    const xml = renderJunit(hostileRun());
    const root = parseXml(xml);
    const istio = childrenNamed(root, "testsuite")[0] as XmlNode;
    const first = childrenNamed(istio, "testcase")[0] as XmlNode;
    // The control character XML forbids is replaced; everything else survives the round trip.
    const expected = HOSTILE.replace("\u0001", "\uFFFD");
    expect(first.attributes["name"]).toBe(`check-${expected}: ${expected}`);
    expect(xml).not.toContain("<script>");
  });
});
