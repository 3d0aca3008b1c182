// Types of scripts/launch.mjs (plain JavaScript: it runs before anything is compiled).
export declare const ROOT: string;
export declare const BUILD_CONFIG: string;
export declare function buildLayout(root?: string): { outDir: string; include: string[] };
export declare function sourceFiles(root?: string): string[];
export declare function sourcesHash(root?: string, files?: string[]): string;
export declare function chooseEntry(entry: string, root?: string): { file: string; compiled: boolean; reason?: string };
export declare function staleBecause(root?: string): string | undefined;
export declare function build(root?: string, options?: { ifStale?: boolean }): Promise<{ outDir: string; files: number; skipped: boolean }>;
