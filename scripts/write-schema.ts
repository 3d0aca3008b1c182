/**
 * `npm run schema`: write schemas/results.schema.json from the zod schema of results.json
 * (src/report/results-schema.ts). A test fails while the file and the schema differ.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { resultsJsonSchemaText } from "../src/report/results-schema.js";

export const RESULTS_SCHEMA_FILE = fileURLToPath(new URL("../schemas/results.schema.json", import.meta.url));

await writeFile(RESULTS_SCHEMA_FILE, resultsJsonSchemaText(), "utf8");
process.stdout.write(`wrote ${RESULTS_SCHEMA_FILE}\n`);
