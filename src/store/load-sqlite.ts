/**
 * Loads Node's built-in `node:sqlite`. On Node 22 loading it prints an ExperimentalWarning that a
 * braid user (of the CLI or of `openRunStore`) cannot act on: that one warning is dropped, while
 * it loads, and every other warning passes. The module is loaded on first use, not on import, so
 * `import 'braid'` loads no SQLite.
 */
export function loadSqlite(): typeof import('node:sqlite') {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!isSqliteExperimentalWarning(warning, rest[0])) (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const text = typeof warning === 'string' ? warning : warning.message;
  const type =
    typeof typeOrOptions === 'string' ? typeOrOptions : typeof warning === 'string' ? (typeOrOptions as { type?: string } | undefined)?.type : warning.name;
  return type === 'ExperimentalWarning' && /SQLite/i.test(text);
}
