/**
 * Makes text from the network safe to print on a terminal: escape sequences
 * and control characters are removed, so a hostile peer or server cannot move
 * the cursor, retitle the window, clear the screen or hide text; bidirectional
 * overrides and isolates are shown as visible markers instead of acting.
 */

/** ESC-introduced sequences: CSI, OSC, DCS/SOS/PM/APC strings, then any other ESC + one character. */
const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[\s\S]?/g;
/** C0 except tab and newline, DEL, and C1 (which includes the 8-bit CSI U+009B). */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Directional marks, embeddings, overrides and isolates. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const TAB_SPACES = '    ';

/** Safe multi-line text: newlines kept, tabs become spaces. */
export function sanitizeText(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROLS, '')
    .replace(BIDI, (mark) => `<U+${mark.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`)
    .replace(/\t/g, TAB_SPACES);
}

/** Safe single-line text (names, group names, status): newlines become spaces. */
export function sanitizeLine(text: string): string {
  return sanitizeText(text).replace(/\n/g, ' ');
}

/** Characters of free text from the server (an error's or a shutdown's message, a reason) shown at most. */
export const MAX_SHOWN_FREE_TEXT = 300;

/**
 * Free text from the server on one line, bounded: cut to `max` characters
 * (before anything else is done with it) with an ellipsis, then made safe.
 */
export function boundedLine(text: string, max = MAX_SHOWN_FREE_TEXT): string {
  if (text.length <= max) return sanitizeLine(text);
  const cut = /[\ud800-\udbff]$/.test(text.slice(0, max)) ? max - 1 : max;
  return `${sanitizeLine(text.slice(0, cut))}…`;
}
