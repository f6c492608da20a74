/**
 * Escape sequences a terminal acts on, 7-bit (ESC …) and 8-bit (C1): CSI (cursor, colour, erase),
 * OSC (window title, OSC 8 hyperlinks, OSC 52 clipboard writes), DCS/SOS/PM/APC strings, and the
 * short ESC sequences (reset, charset switches). String sequences count only when terminated:
 * an unterminated one loses its introducer and shows as the harmless text it is.
 */
const ESCAPE_SEQUENCES = new RegExp(
  [
    /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]/.source, // CSI
    /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c)/.source, // OSC, DCS, SOS, PM, APC
    /\u001b[ -/]*[0-~]/.source, // the other ESC sequences
  ].join('|'),
  'g',
);

/** Control characters left once the sequences are gone: C0 but tab and newline, DEL, and C1. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Model text (and anything quoting it, such as an error) made safe to print on a terminal: escape
 * sequences and control characters are removed, so a model cannot set the window title, plant a
 * hyperlink, write the clipboard or redraw what was printed before. Tabs and newlines stay
 * (`\r\n` becomes `\n`); everything printable, any script or emoji, passes unchanged.
 *
 * @example
 * toTerminalText('Done.\u001b]52;c;ZWNobyBoaQ==\u0007'); // 'Done.'
 */
export function toTerminalText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPE_SEQUENCES, '').replace(CONTROL_CHARACTERS, '');
}

/**
 * `JSON.stringify` for output that may reach a terminal: it escapes C0 controls but leaves DEL
 * and the C1 range (U+0080–U+009F, where U+009B is CSI and U+009D is OSC) raw; these are escaped
 * too. The JSON means the same.
 */
export function toTerminalJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(/[\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
