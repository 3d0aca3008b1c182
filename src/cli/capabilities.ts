/**
 * `--capabilities`: what each mesh can express, per intent, with the mechanism or the reason.
 */
import type { MeshName, RoutingApi, Support } from "../mesh/driver.js";
import { INTENT_KINDS } from "../mesh/intent.js";
import { DRIVERS } from "./wiring.js";

const MARK: Record<Support, string> = { native: "native", emulated: "emulated", unsupported: "—" };
const MESHES: MeshName[] = ["istio", "linkerd", "none"];

export function capabilitiesTable(routing: RoutingApi, json: boolean): string {
  const table = Object.fromEntries(MESHES.map((m) => [m, DRIVERS[m].capabilities(routing)]));
  if (json) return `${JSON.stringify({ routing, capabilities: table }, null, 2)}\n`;
  const width = Math.max(...INTENT_KINDS.map((k) => k.length)) + 2;
  const lines = [`Capabilities (routing: ${routing})`, "", `${"intent".padEnd(width)}${MESHES.map((m) => m.padEnd(11)).join("")}`];
  for (const kind of INTENT_KINDS) lines.push(`${kind.padEnd(width)}${MESHES.map((m) => MARK[table[m]![kind].support].padEnd(11)).join("")}`);
  lines.push("", "How, or why not:");
  for (const mesh of MESHES.filter((m) => m !== "none")) {
    lines.push(`  ${mesh}:`);
    for (const kind of INTENT_KINDS) lines.push(`    ${kind.padEnd(width)}${table[mesh]![kind].support}: ${table[mesh]![kind].note}`);
  }
  lines.push("", "Unsupported intents are reported as \"not supported\", never as failures.");
  return `${lines.join("\n")}\n`;
}
