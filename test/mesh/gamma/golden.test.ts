import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderGamma } from "../../../src/mesh/gamma/index.js";
import { golden, goldenText } from "./golden.js";
import { goldenCases, target } from "./reference-policy.js";

const DIR = path.resolve(import.meta.dirname, "../golden/gamma");

describe("GAMMA golden files", () => {
  for (const [name, intents] of Object.entries(goldenCases)) {
    it(`${name}.yaml matches what the renderer produces`, () => {
      const text = goldenText(`GAMMA (Gateway API v1.5.1) rendering of the reference ${name} intents`, renderGamma(intents, target));
      const { expected, actual } = golden(path.join(DIR, `${name}.yaml`), text);
      expect(actual, `golden ${name}.yaml differs: if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`).toBe(expected);
    });
  }
});
