import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { toTerminalJson, toTerminalText } from '../../src/cli/terminal-text.js';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

/** What a hostile or broken model may write: OSC 52 (clipboard), OSC 8 (hyperlink), OSC 0 (title), CSI (erase, colour), 8-bit CSI, BEL, a carriage return that redraws the line. */
const HOSTILE =
  'Sun\u001b]52;c;ZWNobyBwd25lZA==\u0007 power \u001b]8;;https://evil.example/\u001b\\link\u001b]8;;\u001b\\ \u001b]0;owned\u0007\u001b[2J\u009b31mred\u001b[0m\rtext';
const SHOWN = 'Sun power link redtext';
/** Anything a terminal acts on: C0 but tab and newline, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('toTerminalText', () => {
  test('removes CSI, OSC (title, hyperlink, clipboard), DCS/APC strings, short escapes, C0, DEL and C1', () => {
    expect(toTerminalText(HOSTILE)).toBe(SHOWN);
    expect(toTerminalText('a\u001bPq#0;2;0;0;0\u001b\\b\u001b_payload\u009cc\u001bcd\u007fe\u0085f\u0000g')).toBe('abcdefg');
  });

  test('keeps text, tabs, newlines and every script; \\r\\n becomes \\n', () => {
    const text = 'Zoë paid 5 € — 東京, مرحبا 👍\n\tindented\r\nnext';
    expect(toTerminalText(text)).toBe('Zoë paid 5 € — 東京, مرحبا 👍\n\tindented\nnext');
  });

  test('an unterminated sequence loses its introducer and shows as text instead of swallowing what follows', () => {
    expect(toTerminalText('before \u001b]52;c;abc after')).toBe('before 52;c;abc after');
  });

  test('toTerminalJson escapes DEL and C1, which JSON.stringify leaves raw, and means the same', () => {
    const value = { text: 'a\u009b31mb\u007f\u001b' };
    const json = toTerminalJson(value);
    expect(json).not.toMatch(CONTROL);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('model text on the terminal', () => {
  test('braid faq: the FAQ printed (and written with --out) carries no escape sequence from the model', async () => {
    fake.server.configure({
      rules: [
        { match: 'Write exactly 1 distinct questions', json: { questions: ['Why \u001b]0;owned\u0007solar?'] } },
        { match: 'Answer this question', json: { answer: HOSTILE } },
      ],
    });
    const out = join(makeTempDirectory(), 'faq.md');

    const [printed, written] = await Promise.all([
      runCli(['faq', '--questions', '1', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
      runCli(['faq', '--questions', '1', '--out', out, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
    ]);

    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain('## 1. Why solar?');
    expect(printed.stdout).toContain(SHOWN);
    expect(printed.stdout).not.toMatch(CONTROL);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toMatch(CONTROL);
  });

  test('braid route: the answer printed carries no escape sequence', async () => {
    fake.server.configure({
      rules: [
        { match: 'Classify', json: { intent: 'General Question' } },
        { match: 'friendly customer service agent', text: HOSTILE },
      ],
    });

    const result = await runCli(['route', 'Do you ship to Lyon?', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Intent: General Question\n\n${SHOWN}\n`);
  });

  test("braid orchestrate: the reply printed carries no escape sequence from the synthesizer's text", async () => {
    const task = { query_type: 'Status Update', order_id: 'A-12345', product_name: null, reason_for_return: null, invoice_number: null };
    fake.server.configure({
      rules: [
        { match: 'You turn a customer message into a list of tasks', json: { tasks: [task] } },
        { match: 'You write one reply to the customer', text: `Order A-12345: ${HOSTILE}` },
      ],
    });

    const result = await runCli(['orchestrate', 'Where is order A-12345?', '--db', join(makeTempDirectory(), 'orders.db'), ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Order A-12345: ${SHOWN}`); // the model's reply, kept by the reply check
    expect(result.stdout).not.toMatch(CONTROL);
  });

  test("an error quoting the provider's reply is printed without its escape sequences, with --verbose too", async () => {
    const message = 'bad request \u001b]52;c;ZXZpbA==\u0007from \u009b31mthe server\u001b[0m';
    fake.server.configure({ rules: [{ match: 'Write exactly 1 distinct questions', status: 400, message }] });

    const [plain, verbose] = await Promise.all([
      runCli(['faq', '--questions', '1', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
      runCli(['faq', '--questions', '1', '--verbose', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
    ]);

    for (const result of [plain, verbose]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('bad request from the server');
      expect(result.stderr).not.toMatch(CONTROL);
    }
  });

  test('a batch prints JSON lines whose errors and answers carry no raw control character (C1 included)', async () => {
    fake.server.configure({
      rules: [
        { match: 'Classify', json: { intent: 'General Question' } },
        { match: 'Lyon', status: 400, message: 'no \u009d52;c;ZXZpbA==\u009c here' },
        { match: 'friendly customer service agent', text: HOSTILE },
      ],
    });

    const result = await runCli(['route', '--batch', '-', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV, input: 'Do you ship to Lyon?\nWhat are your hours?\n' });

    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(result.stdout).not.toMatch(CONTROL);
    const [failed, answered] = lines.map((line) => JSON.parse(line) as { error?: string; response?: string });
    expect(failed!.error).toContain('\u009d52;c;'); // escaped in the JSON, intact in the value
    expect(answered!.response).toBe(HOSTILE);
  });
});
