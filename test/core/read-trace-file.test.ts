import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { BraidError, type Span } from '../../src/index.js';
import { readTraceFile, TraceFileError } from '../../src/core/read-trace-file.js';

const STEP: Span = { id: 's1', parentId: 'r', runId: 'run-1', kind: 'step', name: 'answer', start: 10, end: 20, status: 'ok', prompt: '<b>hi</b>' };
const RUN: Span = { id: 'r', runId: 'run-1', kind: 'run', name: 'faq', start: 0, end: 30, status: 'ok' };

function traceFile(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'braid-trace-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'run.trace.jsonl');
  writeFileSync(path, text);
  return path;
}

test('reads one span a line, skipping blank lines and CRLF endings', async () => {
  const path = traceFile(`${JSON.stringify(STEP)}\r\n\n   \n${JSON.stringify(RUN)}\n`);
  await expect(readTraceFile(path)).resolves.toEqual([STEP, RUN]);
});

test('a line that is not JSON is a TraceFileError naming the line', async () => {
  const path = traceFile(`${JSON.stringify(RUN)}\n\n{"id": "s1", "kind": \n`);
  const error = await readTraceFile(path).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TraceFileError);
  expect(error).toBeInstanceOf(BraidError);
  expect(error).toMatchObject({ line: 3, path });
  expect((error as Error).message).toContain(`${path}:3: not valid JSON`);
});

test('a JSON line that is not a span is a TraceFileError naming the line and the field', async () => {
  const path = traceFile(`${JSON.stringify(RUN)}\n${JSON.stringify({ ...STEP, kind: 'banana' })}\n`);
  await expect(readTraceFile(path)).rejects.toMatchObject({ name: 'TraceFileError', line: 2, message: expect.stringContaining('"kind"') });
});

test('a missing file is a TraceFileError without a line', async () => {
  const error = await readTraceFile(join(tmpdir(), 'braid-no-such-trace.jsonl')).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TraceFileError);
  expect(error).toMatchObject({ line: undefined });
  expect((error as TraceFileError).cause).toMatchObject({ code: 'ENOENT' });
});
