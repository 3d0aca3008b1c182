/**
 * `--capabilities`: what each mesh of the registry can express, per intent, with the mechanism
 * or the reason.
 */
import type { RoutingApi, Support } from "../mesh/driver.js";
import { INTENT_KINDS } from "../mesh/intent.js";
import { MESHES, type MeshRegistry } from "../mesh/registry.js";

const MARK: Record<Support, string> = { native: "native", emulated: "emulated", unsupported: "—" };

export async function capabilitiesTable(routing: RoutingApi, json: boolean, registry: MeshRegistry = MESHES): Promise<string> {
  const meshes = registry.names;
  const table = Object.fromEntries(await Promise.all(meshes.map(async (m) => [m, (await registry.driver(m)).capabilities(routing)] as const)));
  if (json) return `${JSON.stringify({ routing, capabilities: table }, null, 2)}\n`;
  const width = Math.max(...INTENT_KINDS.map((k) => k.length)) + 2;
  const lines = [`Capabilities (routing: ${routing})`, "", `${"intent".padEnd(width)}${meshes.map((m) => m.padEnd(11)).join("")}`];
  for (const kind of INTENT_KINDS) lines.push(`${kind.padEnd(width)}${meshes.map((m) => MARK[table[m]![kind].support].padEnd(11)).join("")}`);
  lines.push("", "How, or why not:");
  for (const mesh of registry.compared) {
    lines.push(`  ${mesh}:`);
    for (const kind of INTENT_KINDS) lines.push(`    ${kind.padEnd(width)}${table[mesh]![kind].support}: ${table[mesh]![kind].note}`);
  }
  lines.push("", "Unsupported intents are reported as \"not supported\", never as failures.");
  return `${lines.join("\n")}\n`;
}
