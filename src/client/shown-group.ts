/**
 * What the chat screen shows: the current group (each of its messages once,
 * by seq, after a day marker when the date changes; the seq range shown for
 * /history and the read marker), or, outside a group, the group list last
 * shown. It builds no strings (render.ts does) and prints only through the
 * ChatTerminal.
 */
import type { GroupSummary, JoinedReply, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { CompletionNames } from './completion.js';
import { DayMarkers } from './day-markers.js';
import type { GroupStatus } from './group-status.js';
import type { OutboxItem } from './model/outbox.js';
import { type RenderContext, renderChat, renderDirect, renderJoined } from './render.js';
import type { ChatTerminal } from './chat-terminal.js';

/** The current group and the seqs shown of it. */
export interface GroupView {
  name: string;
  /** Highest seq shown. */
  lastSeq: number;
  /** Lowest seq shown, for /history. */
  oldestSeq: number;
}

export class ShownGroup {
  private group: GroupView | undefined;
  private readonly days = new DayMarkers();
  /** The group list last shown (a number typed outside a group joins from it). */
  shownList: GroupSummary[] = [];

  constructor(
    private readonly terminal: ChatTerminal,
    private readonly status: GroupStatus,
    private readonly names: CompletionNames,
    private readonly self: string,
  ) {}

  /** The current group (updated in place by a resume and /history); undefined outside a group. */
  get current(): GroupView | undefined {
    return this.group;
  }

  get context(): RenderContext {
    return { self: this.self, width: this.terminal.columns };
  }

  prompt(): string {
    return this.status.prompt(this.group?.name);
  }

  /** Draws the prompt again (the group or the unread counts changed). */
  refreshPrompt(): void {
    this.terminal.setPrompt(this.prompt());
  }

  isCurrent(name: string): boolean {
    return this.group !== undefined && nameKey(this.group.name) === nameKey(name);
  }

  /** Out of the group: no group, no members (the prompt is left to the caller). */
  forget(): void {
    this.group = undefined;
    this.names.replaceUsers([]);
  }

  /** Shows a group message once; returns false for one already shown. */
  show(message: StoredMessage): boolean {
    const group = this.group;
    if (group === undefined || message.seq <= group.lastSeq) return false;
    group.lastSeq = message.seq;
    this.printDated(message.ts, renderChat(message, this.context));
    this.status.shown(group.name, message.seq);
    return true;
  }

  /** Prints a message's lines, after a day marker when its date is not the last one shown. */
  printDated(ts: number, text: string): void {
    const marker = this.days.before(ts);
    this.terminal.print(marker === undefined ? text : `${marker}\n${text}`);
  }

  /**
   * A message of the user's, once acked. A direct message to oneself is not:
   * the server delivers it to this connection too, and it is shown then, once.
   * The recipient is named as the server spells it where known (`/msg BOB` → bob).
   */
  showSent(item: OutboxItem, ts: number, seq = 0): void {
    if (item.kind === 'say') this.show({ group: item.group ?? this.group?.name ?? '', seq, from: this.self, text: item.text, ts });
    else if (nameKey(item.to) !== nameKey(this.self)) this.printDated(ts, renderDirect({ from: this.self, to: this.names.spelling(item.to), text: item.text, ts }, this.context));
  }

  /** Shows a `joined` reply: the group, who is in it, and its messages not shown yet; returns how many were shown. */
  showJoined(joined: JoinedReply, resumed: boolean): number {
    if (!resumed || !this.isCurrent(joined.group)) {
      this.group = { name: joined.group, lastSeq: 0, oldestSeq: joined.history[0]?.seq ?? joined.last_seq + 1 };
    }
    this.names.replaceUsers(joined.members);
    this.names.noteGroup(joined.group);
    if (!resumed) for (const line of renderJoined(joined)) this.terminal.print(line);
    if (!resumed) this.status.joined(joined);
    const shown = joined.history.filter((message) => this.show(message)).length;
    // With `more`, later messages are still to come (the next page of a resume): the seq shown stays the cursor.
    if (this.group && !joined.more) this.group.lastSeq = Math.max(this.group.lastSeq, joined.last_seq);
    if (this.group && !joined.more) this.status.shown(this.group.name, this.group.lastSeq);
    this.refreshPrompt();
    return shown;
  }
}
