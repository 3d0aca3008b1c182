/** Validation against the published JSON Schema (schemas/results.schema.json), as an outsider would. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";

export const SCHEMA_FILE = fileURLToPath(new URL("../../schemas/results.schema.json", import.meta.url));

let validator: ReturnType<Ajv2020["compile"]> | undefined;

/** The problems Ajv finds in a results.json against the committed schema; [] when it is valid. */
export function schemaProblems(value: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    // zod writes startsWith as a pattern plus this format name; the pattern is what checks it.
    ajv.addFormat("starts_with", true);
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as object);
  }
  if (validator(value)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || "(top)"} ${e.message ?? ""}`);
}
