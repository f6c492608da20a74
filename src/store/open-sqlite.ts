import type { DatabaseSync } from 'node:sqlite';

/**
 * Opens a database with Node's built-in SQLite. The module is loaded on first use, not on import:
 * on Node 22 it prints an ExperimentalWarning, which `import { createRuntime } from 'braid'` must not.
 */
export function openSqlite(file: string): DatabaseSync {
  const sqlite = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
  return new sqlite.DatabaseSync(file);
}
