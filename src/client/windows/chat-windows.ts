/**
 * The windows fed by what the server sends (docs/client-windows.md): a group's
 * message goes to its window, a direct message to the conversation with the
 * other side (opened if need be, not shown), a deletion to the line it
 * deletes; each arrival says whether it was new, whether it shows, and what
 * it does to the hotlist and the bell. It remembers who last wrote directly,
 * for `/r`. Pure: the chat screen prints, rings and logs from what it returns.
 * The chat screen's window-screen.ts calls it.
 */
import { nameKey } from '../../protocol/names.js';
import { type ArrivalEffect, recordArrival } from './activity.js';
import { hotlistEntries, renderHotlist } from './hotlist.js';
import type { ArrivingMessage, MessageLine } from './scroll-back.js';
import { type ChatWindow, WindowList } from './window-list.js';

/** What one message did. */
export interface WindowArrival {
  window: ChatWindow;
  /** The line added; undefined when the window held it already (same seq): nothing to print or log. */
  line: MessageLine | undefined;
  /** The window is the one shown: print the line. */
  shown: boolean;
  /** Nothing counted nor rung for a line already held. */
  effect: ArrivalEffect;
}

/** A direct message as it arrives: both sides, so either can be the user (another device's message). */
export interface ArrivingDirectMessage extends ArrivingMessage {
  to: string;
}

/** A deletion (`message_deleted`): in a group, or in the conversation with `user`. */
export type Deletion = { group: string; seq: number; by: string } | { user: string; seq: number; by: string };

/**
 * Where a message comes from: `live` (as it is sent: counts and rings),
 * `missed` (a resume's page after a drop: counts in the hotlist, no bell for
 * old news), `history` (the backlog of a join or `/query`, a `/history` page:
 * the user is looking at it or asked for it, so neither).
 */
export type ArrivalSource = 'live' | 'missed' | 'history';

const NO_EFFECT: ArrivalEffect = { counted: false, mention: false, bell: false };

export class ChatWindows {
  readonly list: WindowList;
  /** The last user who wrote directly, and when (a resume's pages may come in any order of time). */
  private lastWriter: { name: string; ts: number } | undefined;

  /** `self`: the signed-in user's name; `statusTitle`: the status window's (the server's host). */
  constructor(private readonly self: string, statusTitle: string, scrollBackLines?: number) {
    this.list = new WindowList(statusTitle, scrollBackLines);
  }

  /** A message of `group` (live, or of a resumed page): into the group's window, opened if need be. */
  groupMessage(group: string, message: ArrivingMessage, source: ArrivalSource = 'live'): WindowArrival {
    const window = this.list.findGroup(group) ?? this.list.openGroup(group).window;
    return this.arrive(window, message, source);
  }

  /**
   * A direct message, sent or received, from this device or another: into the
   * conversation with the other side, opened (not shown) if need be.
   */
  directMessage(message: ArrivingDirectMessage, source: ArrivalSource = 'live'): WindowArrival {
    const fromSelf = nameKey(message.from) === nameKey(this.self);
    const other = fromSelf ? message.to : message.from;
    const window = this.list.findConversation(other) ?? this.list.openConversation(other).window;
    const arrival = this.arrive(window, message, source);
    if (!fromSelf && arrival.line !== undefined && source !== 'history' && message.ts >= (this.lastWriter?.ts ?? -Infinity)) {
      this.lastWriter = { name: message.from, ts: message.ts };
    }
    return arrival;
  }

  /** A deletion: the line changed and its window; undefined when no window holds it. */
  deleted(deletion: Deletion): { window: ChatWindow; line: MessageLine; shown: boolean } | undefined {
    const window = 'group' in deletion ? this.list.findGroup(deletion.group) : this.list.findConversation(deletion.user);
    const line = window?.scrollBack.markDeleted(deletion.seq, deletion.by);
    return window === undefined || line === undefined ? undefined : { window, line, shown: window === this.list.current };
  }

  /** Who `/r` answers: the last user who wrote to this user directly (not the user's own devices). */
  replyTarget(): string | undefined {
    return this.lastWriter?.name;
  }

  /** The hotlist for the status line: `[2:ops 3 @1, 4:bob 1]`, or ''. */
  hotlist(): string {
    return renderHotlist(hotlistEntries(this.list.all(), this.list.current));
  }

  private arrive(window: ChatWindow, message: ArrivingMessage, source: ArrivalSource): WindowArrival {
    const line = window.scrollBack.addMessage(message);
    const shown = window === this.list.current;
    if (line === undefined || line.deletedBy !== undefined || source === 'history') return { window, line, shown, effect: NO_EFFECT };
    const effect = recordArrival(window, this.list.current, message.from, message.text, this.self);
    return { window, line, shown, effect: source === 'missed' ? { ...effect, bell: false } : effect };
  }
}
