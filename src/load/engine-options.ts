/**
 * The --load-engine choices, in a module that imports nothing, so the CLI can offer and check them
 * without loading the engines themselves (src/load/engine.ts).
 */
export const LOAD_ENGINES = ["builtin", "k6"] as const;
export type LoadEngine = (typeof LOAD_ENGINES)[number];
export const DEFAULT_LOAD_ENGINE: LoadEngine = "builtin";
