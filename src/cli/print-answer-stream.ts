import { toTerminalText } from './terminal-text.js';

/**
 * What the printer reads: text as it is written, and resets that void what was printed. Other
 * events (a step's partials and value) are passed over. A step's `events` are such a stream, and
 * so is an app's checked reply.
 */
export type PrintableEvent = { type: 'text'; text: string } | { type: 'reset' } | { type: 'partial' | 'value' };

export interface PrintAnswerStreamOptions {
  /** Printed at once, before the answer's first piece: the lines that introduce it. */
  heading: string;
  /** A terminal. @default process.stdout */
  output?: NodeJS.WriteStream;
  /** Where the printer says that an answer starts over when it cannot erase it. @default process.stderr */
  notices?: NodeJS.WritableStream;
}

/**
 * Prints a streamed answer on a terminal as the model writes it, trimmed as the whole answer would
 * be (leading whitespace dropped, trailing whitespace held back until more text follows), then ends
 * its line. When an attempt starts over (a `reset`) it takes back what it printed: it erases those
 * rows when they are all still on the screen, and otherwise says so. Each piece is made safe for the
 * terminal on its own (an escape sequence split across pieces loses its ESC and shows as text). It never throws: a failed
 * step's error is for its caller to report, so the printer only ends its line.
 */
export async function printAnswerStream(
  events: AsyncIterable<PrintableEvent>,
  { heading, output = process.stdout, notices = process.stderr }: PrintAnswerStreamOptions,
): Promise<void> {
  output.write(toTerminalText(heading));
  let shown = ''; // the answer on screen since the last reset
  let held = ''; // whitespace not printed yet: it is printed only if more text follows
  const takeBack = (): void => {
    if (shown === '') return;
    const rows = rowsOnTerminal(shown, output.columns ?? 0);
    if (rows !== undefined && rows < (output.rows ?? 0)) {
      // back to the answer's first row, and clear from there down: the heading stays
      output.write(`\r${rows > 1 ? `\u001b[${rows - 1}A` : ''}\u001b[J`);
    } else {
      output.write('\n');
      notices.write('braid: the answer above was cut off; it is written again below\n');
    }
    shown = '';
    held = '';
  };
  try {
    for await (const event of events) {
      if (event.type === 'reset') takeBack();
      if (event.type !== 'text') continue;
      let pending = held + toTerminalText(event.text);
      if (shown === '') pending = pending.trimStart();
      const visible = pending.trimEnd();
      held = pending.slice(visible.length);
      if (visible === '') continue;
      output.write(visible);
      shown += visible;
    }
    output.write('\n');
  } catch {
    if (shown !== '') output.write('\n'); // the step's error is reported by whoever awaits its value
  }
}

const TAB_STOP = 8;

/**
 * How many terminal rows `text` takes when printed from a line's start on a terminal `columns`
 * wide, wrapping as terminals do; undefined when the width is unknown.
 */
function rowsOnTerminal(text: string, columns: number): number | undefined {
  if (columns <= 0) return undefined;
  let rows = 1;
  let column = 0;
  for (const character of text) {
    if (character === '\n') {
      rows += 1;
      column = 0;
      continue;
    }
    const width = character === '\t' ? TAB_STOP - (column % TAB_STOP) : widthOf(character.codePointAt(0)!);
    if (column + width > columns) {
      rows += 1; // the terminal wraps only when the next character no longer fits
      column = character === '\t' ? 0 : width;
    } else {
      column += width;
    }
  }
  return rows;
}

/** Columns a character takes: 0 for combining marks, 2 for East Asian wide characters and emoji, else 1. */
function widthOf(code: number): number {
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
  const isWide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return isWide ? 2 : 1;
}
