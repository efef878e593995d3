/**
 * The chat screen's windows on the terminal (docs/client-windows.md): what
 * arrives goes into its window's scroll-back (windows/chat-windows.ts) and is
 * printed only when that window is shown; switching prints the window's
 * scroll-back from memory. It also hands the rest of the screen a terminal
 * (`terminal`) whose prints are kept in the shown window, so an answer to a
 * command is there again when the user comes back to it. Rings the bell for
 * what chat-windows.ts says rings it. Builds no strings of its own beyond the
 * window header; render.ts does.
 */
import kleur from 'kleur';
import type { DirectMessage, StoredDirectMessage, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { ChatTerminal } from './chat-terminal.js';
import { DayMarkers } from './day-markers.js';
import { renderChat, renderDirect, type RenderContext } from './render.js';
import { sanitizeLine } from './sanitize.js';
import { type ArrivalSource, ChatWindows, type Deletion, type WindowArrival } from './windows/chat-windows.js';
import type { LogWriter } from './windows/log-writer.js';
import type { ScrollLine } from './windows/scroll-back.js';
import type { ChatWindow } from './windows/window-list.js';
import { windowRows } from './windows/window-rows.js';
import { screenRows } from './width.js';

/** The screen's height when the terminal does not say. */
export const DEFAULT_ROWS = 24;
/** Rows kept for the prompt when a window's scroll-back is printed. */
const PROMPT_ROWS = 1;

/** The rows `text` takes on a screen `columns` wide (each of its lines wrapped). */
function textRows(text: string, columns: number): number {
  return text.split('\n').reduce((rows, part) => rows + screenRows(part, columns), 0);
}

export interface WindowScreenHooks {
  /** The prompt (the shown window, the hotlist) changed. */
  promptChanged(): void;
  /** `/set bell on|off`. */
  bellOn(): boolean;
  /** The conversation with `user` was shown up to `seq` (its read marker). */
  conversationShown?(user: string, seq: number): void;
}

/** `-- window 2: ops --`, printed when a window is shown. */
export function renderWindowHeader(number: number, window: ChatWindow): string {
  const title = window.target.kind === 'conversation' ? `@${sanitizeLine(window.title)}` : sanitizeLine(window.title);
  return kleur.dim(`-- window ${number}: ${title} --`);
}

/** The prompt's name for a window: `ops`, `@bob`, none for the status window. */
export function windowPromptName(window: ChatWindow): string | undefined {
  if (window.target.kind === 'status') return undefined;
  return window.target.kind === 'conversation' ? `@${window.title}` : window.title;
}

export class WindowScreen {
  readonly windows: ChatWindows;
  /** The day of the last line printed, for the day markers between live lines. */
  private days = new DayMarkers();
  /** Writes each window's lines to its file while logging is on (`--log-dir`, `/set log on`). */
  log: LogWriter | undefined;
  /** The ChatTerminal the rest of the screen prints through: its lines are kept in the shown window. */
  readonly terminal: ChatTerminal;

  constructor(private readonly out: ChatTerminal, private readonly self: string, host: string, private readonly hooks: WindowScreenHooks) {
    this.windows = new ChatWindows(self, host);
    const print = (text: string): void => this.event(this.shown, text);
    // Everything else is the terminal's own, called on it.
    this.terminal = new Proxy(out, {
      get(target, key) {
        if (key === 'print') return print;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  get shown(): ChatWindow {
    return this.windows.list.current;
  }

  get context(): RenderContext {
    return { self: this.self, width: this.out.columns };
  }

  /** The number of `window` (0 once closed). */
  numberOf(window: ChatWindow): number {
    return this.windows.list.numberOf(window) ?? 0;
  }

  /** Prints `text` on the screen without keeping it in a window (`/lastlog`'s lines, held there already). */
  printOnly(text: string): void {
    this.out.print(text);
  }

  /** A group's message: into its window (opened if need be); printed when shown. Returns the arrival. */
  groupMessage(message: StoredMessage, source: ArrivalSource): WindowArrival {
    const arrival = this.windows.groupMessage(message.group, message, source);
    this.arrived(arrival, source);
    return arrival;
  }

  /** A direct message, either way, from any device of the user's: into the conversation with the other side. */
  directMessage(message: DirectMessage | StoredDirectMessage, source: ArrivalSource): WindowArrival {
    const arrival = this.windows.directMessage(message, source);
    this.arrived(arrival, source);
    return arrival;
  }

  /** `message_deleted`: the line shows `(message deleted)`, printed again when its window is shown. */
  deleted(deletion: Deletion): void {
    const changed = this.windows.deleted(deletion);
    if (changed === undefined) return;
    if (changed.shown) this.printDated(changed.line.ts, this.renderLine(changed.window, changed.line));
    this.log?.write(changed.window.target, changed.window.scrollBack.addEvent(`-- ${sanitizeLine(deletion.by)} deleted message ${deletion.seq}`, Date.now()));
  }

  /** A line of `window` that is not a message (a presence, a topic, an answer): kept, printed when shown. */
  event(window: ChatWindow, text: string): void {
    const line = window.scrollBack.addEvent(text, Date.now());
    if (window.target.kind !== 'status') this.log?.write(window.target, line);
    if (window === this.shown) this.out.print(text);
  }

  /** An event of `group`: in its window, else (no window) in the shown one. */
  groupEvent(group: string, text: string): void {
    this.event(this.windows.list.findGroup(group) ?? this.shown, text);
  }

  /** A line about the server or the connection: kept in the status window, and printed whichever window is shown. */
  statusLine(text: string): void {
    const status = this.windows.list.status;
    status.scrollBack.addEvent(text, Date.now());
    this.out.print(text);
  }

  /** Shows `window`: its header (not for a window just `opened`: what opened it says so), then its scroll-back from memory (nothing fetched). */
  show(window: ChatWindow, opened = false): void {
    this.windows.list.show(window);
    if (!opened) this.out.print(renderWindowHeader(this.numberOf(window), window));
    // A screenful: the screen's rows but the prompt's (and the header's).
    const text = this.screenful(window, Math.max(1, (this.out.rows ?? DEFAULT_ROWS) - PROMPT_ROWS - (opened ? 0 : 1)));
    if (text.length > 0) this.out.print(text.join('\n'));
    this.readUpTo(window, window.scrollBack.lastSeq());
    this.hooks.promptChanged();
  }

  /** Shows window `number`; false when there is none. */
  showNumber(number: number): boolean {
    const window = this.windows.list.at(number);
    if (window === undefined) return false;
    if (window !== this.shown) this.show(window);
    return true;
  }

  /** Closes `window` (never the status window); the window shown before it is shown when it was the shown one. */
  close(window: ChatWindow): void {
    const wasShown = window === this.shown;
    if (!this.windows.list.close(window)) return;
    if (wasShown) this.show(this.shown);
    else this.hooks.promptChanged();
  }

  /** A line as it prints: a message by its window's kind, an event as it was printed. */
  renderLine(window: ChatWindow, line: ScrollLine): string {
    if (line.kind === 'event') return line.text;
    const seq = line.seq ?? 0;
    if (window.target.kind === 'conversation') {
      const to = nameKey(line.from) === nameKey(this.self) ? window.title : this.self;
      return renderDirect({ from: line.from, to, text: line.text, ts: line.ts }, this.context);
    }
    return renderChat({ group: window.title, seq, from: line.from, text: line.text, ts: line.ts }, this.context);
  }

  private arrived(arrival: WindowArrival, source: ArrivalSource): void {
    const { window, line, shown, effect } = arrival;
    if (line === undefined) return;
    if (shown) {
      this.printDated(line.ts, this.renderLine(window, line));
      this.readUpTo(window, line.seq);
    }
    if (source !== 'history') this.log?.write(window.target, line);
    // The hotlist first, so the bell rings with it shown.
    if (effect.counted) this.hooks.promptChanged();
    if (effect.bell && this.hooks.bellOn()) this.out.bell?.();
  }

  /**
   * The last lines of `window`'s scroll-back (with their day lines) that fit
   * `budget` rows of the screen, long lines wrapped; at least the last one.
   */
  private screenful(window: ChatWindow, budget: number): string[] {
    // Each line takes a row at least: no more than `budget` of them can fit.
    const lines = window.scrollBack.lines().slice(-budget);
    this.days = new DayMarkers();
    for (const line of lines) this.days.before(line.ts);
    const text = windowRows(lines).map((row) => (row.kind === 'day' ? row.text : this.renderLine(window, row.line)));
    let start = text.length;
    for (let used = 0; start > 0; start -= 1) {
      used += textRows(text[start - 1]!, this.out.columns);
      if (used > budget) break;
    }
    return text.slice(Math.min(start, text.length - 1));
  }

  /** A conversation window shown up to `seq`: its read marker may move. */
  private readUpTo(window: ChatWindow, seq: number | undefined): void {
    if (window.target.kind === 'conversation' && seq !== undefined) this.hooks.conversationShown?.(window.title, seq);
  }

  private printDated(ts: number, text: string): void {
    const marker = this.days.before(ts);
    this.out.print(marker === undefined ? text : `${marker}\n${text}`);
  }
}
