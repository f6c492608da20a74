import { describe, expect, test } from 'vitest';
import { decodeText } from '../../../src/workflows/faq/decode-text.js';

const TEXT = 'Größe: 5 cm, café, naïve — “quoted”.\nSecond line.';

function utf16(text: string, endian: 'le' | 'be', { mark = true } = {}): Uint8Array {
  const bytes: number[] = mark ? (endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
  for (const unit of Array.from({ length: text.length }, (_, index) => text.charCodeAt(index))) {
    const [low, high] = [unit & 0xff, unit >> 8];
    bytes.push(...(endian === 'le' ? [low, high] : [high, low]));
  }
  return new Uint8Array(bytes);
}

describe('decodeText', () => {
  test('UTF-8, with or without a byte-order mark', () => {
    const utf8 = new TextEncoder().encode(TEXT);
    expect(decodeText(utf8)).toEqual({ ok: true, text: TEXT, encoding: 'utf-8' });
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toEqual({ ok: true, text: TEXT, encoding: 'utf-8' });
  });

  test('UTF-16 little and big endian, with a byte-order mark or recognised by its zero bytes', () => {
    expect(decodeText(utf16(TEXT, 'le'))).toEqual({ ok: true, text: TEXT, encoding: 'utf-16le' });
    expect(decodeText(utf16(TEXT, 'be'))).toEqual({ ok: true, text: TEXT, encoding: 'utf-16be' });
    expect(decodeText(utf16('Plain notes about kettles.', 'le', { mark: false }))).toEqual({ ok: true, text: 'Plain notes about kettles.', encoding: 'utf-16le' });
  });

  test('Latin-1 (Windows-1252) text, accented letters between ASCII', () => {
    const latin1 = new Uint8Array([...'Gr'].map((c) => c.charCodeAt(0)).concat([0xf6, 0xdf], [...'e und caf'].map((c) => c.charCodeAt(0)), [0xe9, 0x20, 0x93, 0x71, 0x94]));
    expect(decodeText(latin1)).toEqual({ ok: true, text: 'Größe und café “q”', encoding: 'windows-1252' });
  });

  test('a stray bad byte in long UTF-8 text is tolerated; invalid UTF-8 beyond a small share is refused', () => {
    const long = new TextEncoder().encode(`Größe ${'plain words '.repeat(20)}`);
    const oneBad = new Uint8Array([...long, 0xff, ...new TextEncoder().encode(' end')]);
    const decoded = decodeText(oneBad);
    expect(decoded.ok && decoded.encoding).toBe('utf-8');
    const mostlyBad = new Uint8Array([...new TextEncoder().encode('Größe '), ...Array.from({ length: 40 }, () => 0xff)]);
    expect(decodeText(mostlyBad)).toEqual({ ok: false, reason: expect.stringMatching(/^is not valid UTF-8 \(\d+ invalid byte sequences\)/) as unknown as string });
  });

  test('binary: NUL bytes, or control characters beyond a trace', () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3e, 0x00, 0x01]);
    expect(decodeText(elf)).toEqual({ ok: false, reason: 'is not text: it holds NUL bytes (a binary file?)' });
    const controls = new Uint8Array(Array.from({ length: 200 }, (_, index) => (index % 4 === 0 ? 0x01 : 0x41)));
    expect(decodeText(controls)).toEqual({ ok: false, reason: 'is not text: it holds 50 control characters (a binary file?)' });
  });

  test('double-byte legacy encodings (GBK, Shift-JIS) are refused rather than read as Latin-1 mojibake', () => {
    const gbk = new Uint8Array([0xd6, 0xd0, 0xce, 0xc4, 0xce, 0xc4, 0xb1, 0xbe, 0x20, 0xb2, 0xe2, 0xca, 0xd4]); // 中文文本 测试
    const shiftJis = new Uint8Array([0x82, 0xb1, 0x82, 0xea, 0x82, 0xcd, 0x83, 0x65, 0x83, 0x4c, 0x83, 0x58, 0x83, 0x67, 0x82, 0xc5, 0x82, 0xb7]); // これはテキストです
    for (const bytes of [gbk, shiftJis]) expect(decodeText(bytes)).toEqual({ ok: false, reason: expect.stringMatching(/save it as UTF-8$/) as unknown as string });
  });

  test("the start of a file may end inside a character", () => {
    const cut = new TextEncoder().encode('Größe').subarray(0, 3); // 'Gr' and half of 'ö'
    expect(decodeText(cut, { complete: false })).toEqual({ ok: true, text: 'Gr', encoding: 'utf-8' });
  });
});
