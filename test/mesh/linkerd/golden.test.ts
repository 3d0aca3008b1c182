import path from "node:path";
import { describe, expect, it } from "vitest";
import { linkerdDriver } from "../../../src/mesh/linkerd/index.js";
import { golden, goldenText } from "../gamma/golden.js";
import { goldenCases, target } from "../gamma/reference-policy.js";

const DIR = path.resolve(import.meta.dirname, "../golden/linkerd");

describe("Linkerd golden files", () => {
  for (const [name, intents] of Object.entries(goldenCases)) {
    it(`${name}.yaml matches what the driver renders`, () => {
      const text = goldenText(`Linkerd version-2.20 rendering of the reference ${name} intents`, linkerdDriver.render(intents, target, "native"));
      const { expected, actual } = golden(path.join(DIR, `${name}.yaml`), text);
      expect(actual, `golden ${name}.yaml differs: if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`).toBe(expected);
    });
  }
});
