/** What a document's bytes decode to: its text and the encoding it was in, or why it is not text. */
export type DecodedText = { ok: true; text: string; encoding: TextEncodingName } | { ok: false; reason: string };

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodeTextOptions {
  /** The bytes are the start of a file only: a character cut at the end is not an error. @default true */
  complete?: boolean;
}

/**
 * A small share of damage is tolerated: a stray bad byte or control character in a long text is
 * not worth refusing the file, while a binary file has them everywhere.
 */
const TOLERATED_SHARE = 0.01;

/** Controls that do not occur in text: C0 but tab, newline, vertical tab, form feed, carriage return and ESC. */
const BINARY_CONTROLS = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/g;

/**
 * Decodes a document's bytes, or says why they are not text, before any of it reaches a model.
 * UTF-8 (with or without a byte-order mark) and UTF-16 (with a byte-order mark, or recognised by
 * its zero bytes) decode as they are. Bytes that are not UTF-8 and have no multi-byte UTF-8 in
 * them are read as Latin-1 (Windows-1252) when they look like it: accented letters standing
 * alone between ASCII, not in runs as in other legacy encodings, which are refused. NUL bytes,
 * control characters or invalid UTF-8 beyond a small share mean the file is not text.
 *
 * @example
 * decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9])); // { ok: true, text: 'café', encoding: 'windows-1252' }
 */
export function decodeText(bytes: Uint8Array, { complete = true }: DecodeTextOptions = {}): DecodedText {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return decodeUtf8(bytes.subarray(3), complete);
  if (startsWith(bytes, [0xff, 0xfe])) return decodeStrict('utf-16le', bytes.subarray(2), complete);
  if (startsWith(bytes, [0xfe, 0xff])) return decodeStrict('utf-16be', bytes.subarray(2), complete);
  if (bytes.includes(0)) {
    const utf16 = utf16WithoutMark(bytes);
    return utf16 ? decodeStrict(utf16, bytes, complete) : { ok: false, reason: 'is not text: it holds NUL bytes (a binary file?)' };
  }
  return decodeUtf8(bytes, complete);
}

function decodeUtf8(bytes: Uint8Array, complete: boolean): DecodedText {
  try {
    return checked(new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !complete }), 'utf-8');
  } catch {
    // not valid UTF-8: a few damaged bytes in UTF-8 text, or another encoding
  }
  const lossy = new TextDecoder('utf-8').decode(bytes, { stream: !complete });
  const invalid = count(lossy, /\ufffd/g);
  const hasMultiByteUtf8 = /[^\u0000-\u007f\ufffd]/.test(lossy);
  if (hasMultiByteUtf8) {
    if (invalid <= lossy.length * TOLERATED_SHARE) return checked(lossy, 'utf-8');
    return { ok: false, reason: `is not valid UTF-8 (${invalid} invalid byte sequences): save it as UTF-8` };
  }
  if (looksLikeLatin1(bytes)) return checked(new TextDecoder('windows-1252').decode(bytes), 'windows-1252');
  return { ok: false, reason: 'is neither UTF-8, UTF-16 nor Latin-1 text: save it as UTF-8' };
}

function decodeStrict(encoding: 'utf-16le' | 'utf-16be', bytes: Uint8Array, complete: boolean): DecodedText {
  try {
    return checked(new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: !complete }), encoding);
  } catch {
    return { ok: false, reason: `is not valid ${encoding.toUpperCase()} text: save it as UTF-8` };
  }
}

/** Decoded text is refused still when control characters are more than a trace: a binary file that happens to decode. */
function checked(text: string, encoding: TextEncodingName): DecodedText {
  const controls = count(text, BINARY_CONTROLS);
  if (controls > text.length * TOLERATED_SHARE) return { ok: false, reason: `is not text: it holds ${controls} control characters (a binary file?)` };
  return { ok: true, text, encoding };
}

/**
 * UTF-16 without a byte-order mark: ASCII text in it has a zero in every other byte. Only the
 * start is looked at; the strict decode afterwards checks the rest.
 */
function utf16WithoutMark(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const sample = bytes.subarray(0, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let index = 0; index < sample.length; index += 1) {
    if (sample[index] === 0) {
      if (index % 2 === 0) evenZeros += 1;
      else oddZeros += 1;
    }
  }
  const pairs = sample.length / 2;
  if (oddZeros >= pairs * 0.7 && evenZeros <= pairs * 0.05) return 'utf-16le';
  if (evenZeros >= pairs * 0.7 && oddZeros <= pairs * 0.05) return 'utf-16be';
  return undefined;
}

/**
 * Latin-1 text has its bytes above 127 alone or in twos between ASCII ("café", "Größe");
 * double-byte encodings (GBK, Big5, EUC-KR, Shift-JIS) write every character as two of them, in
 * runs, which read as Latin-1 would be mojibake.
 */
function looksLikeLatin1(bytes: Uint8Array): boolean {
  let high = 0;
  let inRuns = 0;
  let run = 0;
  for (let index = 0; index <= bytes.length; index += 1) {
    if (index < bytes.length && bytes[index]! >= 0x80) {
      high += 1;
      run += 1;
      continue;
    }
    if (run >= 3) inRuns += run;
    run = 0;
  }
  return inRuns <= high * 0.3;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
