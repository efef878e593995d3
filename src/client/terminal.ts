/**
 * The terminal: one readline prompt, and one way to print, above it, without
 * disturbing what the user is typing. Also the questions asked before chat
 * (with a hidden password) and the restoring of the terminal on every exit.
 */
import readline from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import type { ChatTerminal, Completer } from './chat-terminal.js';
import { MutableOutput } from './mutable-output.js';
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON, PasteCollector } from './paste.js';
import { believedPromptRows, historyOf } from './readline-fields.js';
import { displayWidth, screenRows } from './width.js';

// Kept here for the callers that import them from the terminal.
export type { ChatTerminal, Completer } from './chat-terminal.js';

const SHOW_CURSOR = '\u001b[?25h';

export class Screen implements ChatTerminal {
  private readonly rl: readline.Interface;
  private readonly echo: MutableOutput;
  private chatting = false;
  private completer: Completer = async (line) => [[], line];
  private readonly paste = new PasteCollector();
  private pasteHandler: ((text: string) => void) | undefined;
  /** While a paste is read: the rows the prompt really shows, the history before it, what to print after it. */
  private pasteRows = 0;
  private pasteHistory: string[] = [];
  private heldPrints: string[] = [];
  /** The status line above the prompt, and the rows it takes on screen. */
  private statusText: string | undefined;
  private statusRows = 0;
  /** The Alt keys handled, by readline's key name. */
  private readonly metaKeys = new Map<string, () => void>();

  constructor(private readonly input: NodeJS.ReadStream, private readonly output: NodeJS.WriteStream) {
    this.echo = new MutableOutput(output);
    this.rl = readline.createInterface({
      input, output: this.echo, terminal: true, historySize: 200, prompt: '> ',
      // Tab completes only at the chat prompt, never in the questions before it.
      completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
        if (!this.chatting) return callback(null, [[], line]);
        this.completer(line).then((result) => callback(null, result), () => callback(null, [[], line]));
      },
    });
    process.once('exit', () => this.restore());
  }

  get columns(): number {
    return this.output.columns || 80;
  }

  get rows(): number | undefined {
    return this.output.rows || undefined;
  }

  /** Prints `text` (one or more lines) above the prompt; the typed line and cursor stay as they were. */
  print(text: string): void {
    if (this.paste.active) {
      this.heldPrints.push(text);
      return;
    }
    if (!this.chatting) {
      this.output.write(`${text}\n`);
      return;
    }
    this.redrawBelow(text);
  }

  /** Shows `text` as the status line (replacing the one shown), or removes it. */
  setStatus(text: string | undefined): void {
    if (!this.chatting || !this.output.isTTY || this.paste.active) {
      this.statusText = text;
      return;
    }
    this.statusText = text;
    this.redrawBelow(undefined);
  }

  /**
   * Clears the status line and every row of the input line (it may wrap),
   * writes `text` where they were, and draws the status line and the prompt
   * (with what was typed, and the cursor where it was) below it.
   */
  private redrawBelow(text: string | undefined): void {
    const rows = this.rl.getCursorPos().rows;
    readline.moveCursor(this.output, 0, -(rows + this.statusRows));
    readline.cursorTo(this.output, 0);
    readline.clearScreenDown(this.output);
    const status = this.statusText === undefined ? '' : `${this.statusText}\n`;
    this.statusRows = this.statusText === undefined ? 0 : screenRows(this.statusText, this.columns);
    // Clearing went up the rows really shown (from the cursor); leave the cursor
    // as many rows below the prompt's new start as readline believes it is,
    // so that its redraw lands right under the text, with no blank rows.
    this.output.write(`${text === undefined ? '' : `${text}\n`}${status}${'\n'.repeat(believedPromptRows(this.rl))}`);
    this.rl.prompt(true);
  }

  /**
   * Removes the echo of a line just entered at the chat prompt (it will be
   * shown again, as a message). Call from the line handler, before printing.
   */
  eraseEcho(line: string): void {
    if (!this.chatting || !this.output.isTTY) return;
    readline.moveCursor(this.output, 0, -(this.echoRows(line) + this.statusRows));
    readline.cursorTo(this.output, 0);
    readline.clearScreenDown(this.output);
    if (this.statusRows > 0) this.output.write(`${this.statusText ?? ''}\n`);
  }

  /** The rows the echo of a line entered takes (the prompt and the line, wrapped). */
  private echoRows(line: string): number {
    return Math.max(1, Math.ceil(displayWidth(stripVTControlCharacters(this.rl.getPrompt()) + line) / this.columns));
  }

  /** A line was entered under the status line: its echo moves above the status line, which stays just above the prompt. */
  private keepStatusBelowEcho(line: string): void {
    if (!this.output.isTTY || this.statusRows === 0) return;
    readline.moveCursor(this.output, 0, -(this.echoRows(line) + this.statusRows));
    readline.cursorTo(this.output, 0);
    readline.clearScreenDown(this.output);
    this.output.write(`${this.rl.getPrompt()}${line}\n${this.statusText ?? ''}\n`);
  }

  question(query: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new InputClosedError());
      this.rl.once('close', onClose);
      this.rl.question(query, (answer) => {
        this.rl.off('close', onClose);
        resolve(answer);
      });
    });
  }

  /** Asks without echoing the answer. */
  async secret(query: string): Promise<string> {
    this.output.write(query);
    this.echo.muted = true;
    try {
      return await this.question('');
    } finally {
      this.echo.muted = false;
      this.output.write('\n');
    }
  }

  /** Starts the chat prompt; `onLine` gets every line typed. */
  startChat(prompt: string, onLine: (line: string) => void): void {
    this.chatting = true;
    this.rl.setPrompt(prompt);
    if (this.output.isTTY) this.output.write(BRACKETED_PASTE_ON);
    this.input.prependListener('keypress', (_text: string | undefined, key: { name?: string } | undefined) => {
      if (key?.name === 'paste-start') this.startPaste();
      else if (key?.name === 'paste-end') this.endPaste();
    });
    this.rl.on('line', (line) => {
      if (this.paste.take(line)) return;
      this.keepStatusBelowEcho(line);
      onLine(line);
      if (this.chatting) this.rl.prompt();
    });
    this.rl.prompt();
  }

  onPaste(handler: (text: string) => void): void {
    this.pasteHandler = handler;
  }

  /** A paste begins: readline still reads it as typed, but shows nothing of it until it ends. */
  private startPaste(): void {
    if (!this.chatting || this.pasteHandler === undefined || this.paste.active) return;
    this.paste.start();
    this.pasteRows = this.rl.getCursorPos().rows;
    this.pasteHistory = [...historyOf(this.rl)];
    this.echo.muted = true;
  }

  /**
   * A paste ends: one of several lines goes to the paste handler whole (and
   * leaves the input line and the history as they were before it); one
   * without a newline stays on the input line, as if typed.
   */
  private endPaste(): void {
    if (!this.paste.active) return;
    const lines = this.paste.end(this.rl.line);
    if (lines !== undefined) {
      this.rl.write(null, { ctrl: true, name: 'e' });
      this.rl.write(null, { ctrl: true, name: 'u' });
      const history = historyOf(this.rl);
      history.splice(0, history.length, ...this.pasteHistory);
    }
    this.echo.muted = false;
    // The screen still shows the prompt as it was before the paste: redraw it as readline now has it.
    readline.moveCursor(this.output, 0, -this.pasteRows);
    readline.cursorTo(this.output, 0);
    readline.clearScreenDown(this.output);
    this.output.write('\n'.repeat(believedPromptRows(this.rl)));
    this.rl.prompt(true);
    const held = this.heldPrints;
    this.heldPrints = [];
    for (const text of held) this.print(text);
    if (lines !== undefined) this.pasteHandler?.(lines.join('\n'));
  }

  setPrompt(prompt: string): void {
    this.rl.setPrompt(prompt);
    if (this.chatting) this.rl.prompt(true);
  }

  /** What Tab offers at the chat prompt. */
  setCompleter(completer: Completer): void {
    this.completer = completer;
  }

  /** Ctrl-C: clears a half-typed line; on an empty line, `handler` (quit). */
  onInterrupt(handler: () => void): void {
    this.rl.on('SIGINT', () => {
      if (this.rl.line === '') {
        handler();
        return;
      }
      // To the end of the line, then delete everything before the cursor.
      this.rl.write(null, { ctrl: true, name: 'e' });
      this.rl.write(null, { ctrl: true, name: 'u' });
    });
  }

  onEnd(handler: () => void): void {
    this.rl.on('close', handler);
  }

  onMetaKey(name: string, handler: () => void): void {
    // One keypress listener for every Alt key (Alt-n, Alt-1 … Alt-9).
    if (this.metaKeys.size === 0) {
      this.input.on('keypress', (_text: string | undefined, key: { name?: string; meta?: boolean; ctrl?: boolean } | undefined) => {
        if (this.chatting && key?.meta === true && key.ctrl !== true && key.name !== undefined) this.metaKeys.get(key.name)?.();
      });
    }
    this.metaKeys.set(name, handler);
  }

  bell(): void {
    if (this.output.isTTY) this.output.write('\u0007');
  }

  /** Ends input; the prompt line is cleared so the shell's prompt starts on a clean line. */
  close(): void {
    if (this.chatting && this.output.isTTY) {
      readline.cursorTo(this.output, 0);
      readline.clearLine(this.output, 0);
    }
    this.chatting = false;
    this.rl.close();
    this.restore();
  }

  private restore(): void {
    if (this.input.isTTY && this.input.isRaw) this.input.setRawMode(false);
    if (this.output.isTTY) this.output.write(BRACKETED_PASTE_OFF + SHOW_CURSOR);
  }
}

/** Standard input ended (Ctrl-D) while a question was open. */
export class InputClosedError extends Error {
  override readonly name = 'InputClosedError';
  constructor() {
    super('input closed');
  }
}
