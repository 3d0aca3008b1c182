import { describe, expect, it } from "vitest";
import { gatewayApiCrdSteps, gatewayApiInstallUrl } from "../../../src/mesh/gamma/index.js";

describe("gatewayApiCrdSteps", () => {
  it("applies the release bundle server-side unless present, and registers its removal", () => {
    const [install, established, ...rest] = gatewayApiCrdSteps("v1.5.1", "standard", "kind-mp");
    const url = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml";
    expect(install).toMatchObject({
      kind: "command",
      argv: ["kubectl", "--context", "kind-mp", "apply", "--server-side", "-f", url],
      skipIf: ["kubectl", "--context", "kind-mp", "get", "crd", "httproutes.gateway.networking.k8s.io"],
      undo: [{ kind: "command", argv: ["kubectl", "--context", "kind-mp", "delete", "-f", url, "--ignore-not-found"] }],
    });
    expect(established).toMatchObject({ kind: "wait", condition: { type: "command" } });
    expect(rest).toEqual([]);
  });

  it("proves the experimental channel is installed when it is needed", () => {
    const steps = gatewayApiCrdSteps("v1.5.1", "experimental");
    expect(steps[0]).toMatchObject({ argv: ["kubectl", "apply", "--server-side", "-f", expect.stringMatching(/experimental-install\.yaml$/)] });
    const check = steps[2];
    expect(check?.kind).toBe("wait");
    expect(check && check.kind === "wait" && check.condition.type === "command" ? check.condition.argv : []).toContain(
      "--for=jsonpath={.metadata.annotations.gateway\\.networking\\.k8s\\.io/channel}=experimental",
    );
  });

  it("gives every step a time limit", () => {
    for (const step of gatewayApiCrdSteps("v1.5.1", "experimental")) expect(step.timeoutMs).toBeGreaterThan(0);
  });

  it("rejects something that is not a release tag", () => {
    expect(() => gatewayApiInstallUrl("1.5.1", "standard")).toThrow(/not a Gateway API release tag/);
  });
});
