/**
 * Bracketed paste: the terminal wraps a paste in ESC[200~ … ESC[201~ once the
 * client asks for it (ESC[?2004h); Node's readline reports those as keypresses
 * named 'paste-start' and 'paste-end' and otherwise treats the pasted text as
 * typed (each newline a line). `PasteCollector` gathers the lines of one
 * paste so that it becomes one message; `splitPaste` cuts a text too long for
 * one message, at line boundaries where it can.
 */
import { MAX_TEXT_BYTES } from '../protocol/limits.js';

export const BRACKETED_PASTE_ON = '\u001b[?2004h';
export const BRACKETED_PASTE_OFF = '\u001b[?2004l';

/** Characters no message may hold (the protocol's text rule keeps \t and \n). */
const UNSENDABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * A pasted text as messages of at most `maxBytes` UTF-8 bytes each: whole
 * lines where they fit, a line longer than that cut between characters.
 * Control characters the protocol refuses are dropped, trailing blank lines too;
 * a paste with nothing left gives no message.
 */
export function splitPaste(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(UNSENDABLE, '').replace(/\n+$/, '').split('\n');
  if (lines.every((line) => line.trim() === '')) return [];
  const messages: string[] = [];
  let current: string | undefined;
  const flush = (): void => {
    if (current !== undefined && current !== '') messages.push(current);
    current = undefined;
  };
  for (const line of lines) {
    const joined = current === undefined ? line : `${current}\n${line}`;
    if (Buffer.byteLength(joined, 'utf8') <= maxBytes) {
      current = joined;
      continue;
    }
    flush();
    if (Buffer.byteLength(line, 'utf8') <= maxBytes) {
      current = line;
      continue;
    }
    const pieces = cutLine(line, maxBytes);
    current = pieces.pop();
    messages.push(...pieces);
  }
  flush();
  return messages;
}

/** A line longer than `maxBytes`, in pieces of at most that many bytes, cut between code points. */
function cutLine(line: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * The lines readline emits between 'paste-start' and 'paste-end'. `start`
 * and `end` come from a keypress listener that runs before readline's own;
 * `take` claims a line while a paste is under way.
 */
export class PasteCollector {
  private lines: string[] | undefined;

  get active(): boolean {
    return this.lines !== undefined;
  }

  start(): void {
    this.lines = [];
  }

  /** True when the line belongs to the paste under way (and was kept). */
  take(line: string): boolean {
    if (this.lines === undefined) return false;
    this.lines.push(line);
    return true;
  }

  /**
   * Ends the paste; `rest` is what is left on the input line after its last
   * newline. Returns the lines, or undefined when the paste held no newline
   * (it then stays on the input line, as if typed).
   */
  end(rest: string): string[] | undefined {
    const lines = this.lines;
    this.lines = undefined;
    if (lines === undefined || lines.length === 0) return undefined;
    return rest === '' ? lines : [...lines, rest];
  }
}
