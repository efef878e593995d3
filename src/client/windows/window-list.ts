/**
 * The numbered windows of the chat screen (docs/client-windows.md). Window 1
 * is the status window (the server's notices, the group list, what belongs to
 * no group); then one window per group the client is in and one per
 * conversation, in the order they opened. Closing a window renumbers the ones
 * after it (irssi's `windows_auto_renumber`, on by default), so the numbers
 * stay 1…N with no gap and a new window is always N+1. One window is shown.
 * Pure: no terminal, no network.
 */
import { nameKey, type NameKey } from '../../protocol/names.js';
import { DEFAULT_SCROLL_BACK_LINES, ScrollBack } from './scroll-back.js';

/** What a window shows. A group and a user are told apart by their name key (`Ops` and `ops` are one group). */
export type WindowTarget =
  | { kind: 'status' }
  | { kind: 'group'; key: NameKey }
  | { kind: 'conversation'; key: NameKey };

/** Activity in a window since it was last shown (docs/client-windows.md, the hotlist). */
export interface WindowActivity {
  /** Messages from others. */
  messages: number;
  /** Of these, the ones that mention the user (group windows). */
  mentions: number;
}

export interface ChatWindow {
  readonly target: WindowTarget;
  /** The name as the server last spelled it (a group's or the other user's); the host for the status window. */
  title: string;
  readonly scrollBack: ScrollBack;
  readonly activity: WindowActivity;
}

/** A window's number at the moment it was asked for, with the window. */
export interface NumberedWindow {
  number: number;
  window: ChatWindow;
}

function sameTarget(a: WindowTarget, b: WindowTarget): boolean {
  if (a.kind === 'status' || b.kind === 'status') return a.kind === b.kind;
  return a.kind === b.kind && a.key === b.key;
}

export class WindowList {
  private readonly windows: ChatWindow[];
  /** The windows in the order they were last shown, the shown one last: where a close goes back to. */
  private readonly recent: ChatWindow[];

  constructor(statusTitle: string, private readonly scrollBackLines = DEFAULT_SCROLL_BACK_LINES) {
    const status = this.create({ kind: 'status' }, statusTitle);
    this.windows = [status];
    this.recent = [status];
  }

  /** The window shown. */
  get current(): ChatWindow {
    return this.recent[this.recent.length - 1]!;
  }

  get status(): ChatWindow {
    return this.windows[0]!;
  }

  /** Every window, by number (index 0 is window 1). */
  all(): readonly ChatWindow[] {
    return this.windows;
  }

  /** Window `number` (1-based); undefined when there is no such window. */
  at(number: number): ChatWindow | undefined {
    return Number.isInteger(number) && number >= 1 ? this.windows[number - 1] : undefined;
  }

  /** The number of `window`; undefined once it is closed. */
  numberOf(window: ChatWindow): number | undefined {
    const at = this.windows.indexOf(window);
    return at === -1 ? undefined : at + 1;
  }

  find(target: WindowTarget): ChatWindow | undefined {
    return this.windows.find((window) => sameTarget(window.target, target));
  }

  findGroup(name: string): ChatWindow | undefined {
    return this.find({ kind: 'group', key: nameKey(name) });
  }

  findConversation(user: string): ChatWindow | undefined {
    return this.find({ kind: 'conversation', key: nameKey(user) });
  }

  /** The window of group `name`, opened at the end if there is none; not shown. */
  openGroup(name: string): NumberedWindow {
    return this.open({ kind: 'group', key: nameKey(name) }, name);
  }

  /** The conversation with `user`, opened at the end if there is none; not shown. */
  openConversation(user: string): NumberedWindow {
    return this.open({ kind: 'conversation', key: nameKey(user) }, user);
  }

  /**
   * Shows `window` (one of this list's): it becomes current and its activity
   * is cleared. Returns it.
   */
  show(window: ChatWindow): ChatWindow {
    if (!this.windows.includes(window)) throw new RangeError(`window "${window.title}" is not open`);
    const at = this.recent.indexOf(window);
    if (at !== -1) this.recent.splice(at, 1);
    this.recent.push(window);
    window.activity.messages = 0;
    window.activity.mentions = 0;
    return window;
  }

  /** Shows window `number` (Alt-1…Alt-9, `/window N`); undefined (nothing changes) when there is no such window. */
  showNumber(number: number): ChatWindow | undefined {
    const window = this.at(number);
    return window === undefined ? undefined : this.show(window);
  }

  /**
   * Closes `window`; the windows after it move down one number. Closing the
   * shown window shows the one shown before it. The status window is never
   * closed: false.
   */
  close(window: ChatWindow): boolean {
    const at = this.windows.indexOf(window);
    if (at <= 0) return false;
    this.windows.splice(at, 1);
    this.recent.splice(this.recent.indexOf(window), 1);
    const shown = this.current;
    shown.activity.messages = 0;
    shown.activity.mentions = 0;
    return true;
  }

  /** The groups with a window, in window order: what a reconnect rejoins (`join` with `keep`). */
  groupWindows(): ChatWindow[] {
    return this.windows.filter((window) => window.target.kind === 'group');
  }

  /** The conversations with a window, in window order: what a reconnect resumes (`dm_history` with `since`). */
  conversationWindows(): ChatWindow[] {
    return this.windows.filter((window) => window.target.kind === 'conversation');
  }

  private open(target: WindowTarget, title: string): NumberedWindow {
    const known = this.find(target);
    if (known !== undefined) {
      known.title = title;
      return { number: this.numberOf(known)!, window: known };
    }
    const window = this.create(target, title);
    this.windows.push(window);
    this.recent.unshift(window);
    return { number: this.windows.length, window };
  }

  private create(target: WindowTarget, title: string): ChatWindow {
    return { target, title, scrollBack: new ScrollBack(this.scrollBackLines), activity: { messages: 0, mentions: 0 } };
  }
}
