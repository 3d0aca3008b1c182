/**
 * Setup's own failure: exit 4 with one line saying what to install or set. In a module of its
 * own so that setup's step modules can use it without importing scripts/setup.ts, whose
 * top-level await would then wait on them (an import cycle Node reports only as exit 13).
 */
export class SetupError extends Error {
  readonly exitCode = 4;
}
