import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Span } from './span.js';

/** Writes finished spans to a JSONL file, one span a line, as they end. */
export interface TraceFileWriter {
  write(span: Span): void;
}

/**
 * Opens (and truncates) a JSONL trace file. Each span is appended as it ends, synchronously, so
 * a crash loses at most the spans still open. A new file is readable by its owner alone (0600):
 * spans hold prompts and outputs.
 */
export function createTraceFileWriter(path: string): TraceFileWriter {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '', { mode: 0o600 });
  return {
    write(span) {
      appendFileSync(path, `${JSON.stringify(span)}\n`);
    },
  };
}
