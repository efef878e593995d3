/**
 * The group the connection is in (the model's current group) as the chat
 * screen shows it: each of its messages once, by seq, into the group's window
 * (window-screen.ts prints it when that window is shown, after a day marker
 * when the date changes); the seq range held for /history and the read
 * marker; outside a group, the group list last shown. It builds no strings
 * (render.ts does) and prints only through the window screen.
 */
import type { DirectMessage, GroupSummary, JoinedReply, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { CompletionNames } from './completion.js';
import type { GroupStatus } from './group-status.js';
import type { OutboxItem } from './model/outbox.js';
import { type RenderContext, renderDirect, renderJoined } from './render.js';
import type { WindowScreen } from './window-screen.js';
import { windowPromptName } from './window-screen.js';
import type { ArrivalSource } from './windows/chat-windows.js';

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
  /** The group list last shown (a number typed outside a group joins from it). */
  shownList: GroupSummary[] = [];

  constructor(
    private readonly screen: WindowScreen,
    private readonly status: GroupStatus,
    private readonly names: CompletionNames,
    private readonly self: string,
  ) {}

  /** The current group (updated in place by a resume and /history); undefined outside a group. */
  get current(): GroupView | undefined {
    return this.group;
  }

  get context(): RenderContext {
    return this.screen.context;
  }

  /** The prompt: the hotlist, the unread counts of the groups not open, the shown window's name. */
  prompt(): string {
    const hotlist = this.screen.windows.hotlist();
    const prompt = this.status.prompt(windowPromptName(this.screen.shown), (group) => this.screen.windows.list.findGroup(group) !== undefined);
    return hotlist === '' ? prompt : `${hotlist} ${prompt}`;
  }

  /** Draws the prompt again (the window, the hotlist or the unread counts changed). */
  refreshPrompt(): void {
    this.screen.terminal.setPrompt(this.prompt());
  }

  isCurrent(name: string): boolean {
    return this.group !== undefined && nameKey(this.group.name) === nameKey(name);
  }

  /** Out of the group: no group, no members, its window closed (the prompt is left to the caller); `next` is current then (the server's). */
  forget(next?: string): void {
    const window = this.group && this.screen.windows.list.findGroup(this.group.name);
    const nextWindow = next === undefined ? undefined : this.screen.windows.list.findGroup(next);
    this.group = nextWindow && { name: nextWindow.title, lastSeq: nextWindow.scrollBack.lastSeq() ?? 0, oldestSeq: nextWindow.scrollBack.firstSeq() ?? 1 };
    this.names.replaceUsers([]);
    if (window !== undefined) this.screen.close(window);
  }

  /** A group message into its window, once; returns false for one already held. Marked read when its window is shown. */
  show(message: StoredMessage, source: ArrivalSource = 'live'): boolean {
    const group = this.group;
    if (group === undefined || message.seq <= group.lastSeq) return false;
    group.lastSeq = message.seq;
    // A page's stored messages may not name their group: this one's.
    const arrival = this.screen.groupMessage({ ...message, group: group.name }, source);
    if (arrival.shown) this.status.shown(group.name, message.seq);
    return true;
  }

  /** A group's window is shown: what it holds is read (the read marker moves). */
  windowShown(): void {
    const shown = this.screen.shown;
    const seq = shown.target.kind === 'group' ? shown.scrollBack.lastSeq() : undefined;
    if (seq !== undefined) this.status.shown(shown.title, seq);
  }

  /**
   * A message of the user's, once acked. A direct message goes to the
   * conversation's window; one to oneself is not: the server delivers it to
   * this connection too, and it goes there then, once. The recipient is
   * named as the server spells it where known (`/msg BOB` → bob).
   */
  showSent(item: OutboxItem, ts: number, seq = 0): void {
    if (item.kind === 'say') this.show({ group: item.group ?? this.group?.name ?? '', seq, from: this.self, text: item.text, ts });
    else if (nameKey(item.to) !== nameKey(this.self)) this.showSentDirect({ type: 'dm', from: this.self, to: this.names.spelling(item.to), text: item.text, ts, ...(seq > 0 ? { seq } : {}) });
  }

  /** A direct message of the user's into its conversation's window; echoed (not kept) in the shown window when that is another. */
  private showSentDirect(message: DirectMessage): void {
    const arrival = this.screen.directMessage(message, 'live');
    if (arrival.line !== undefined && !arrival.shown) this.screen.printOnly(renderDirect(message, this.context));
  }

  /** Shows a `joined` reply in the group's window: the group, who is in it, and its messages not held yet; returns how many were new. */
  showJoined(joined: JoinedReply, resumed: boolean): number {
    if (!resumed || !this.isCurrent(joined.group)) {
      this.group = { name: joined.group, lastSeq: 0, oldestSeq: joined.history[0]?.seq ?? joined.last_seq + 1 };
    }
    this.names.replaceUsers(joined.members);
    this.names.noteGroup(joined.group);
    if (!resumed) {
      const opened = this.screen.windows.list.findGroup(joined.group) === undefined;
      const { window } = this.screen.windows.list.openGroup(joined.group);
      this.screen.show(window, opened);
      for (const line of renderJoined(joined)) this.screen.event(window, line);
      this.status.joined(joined);
    }
    const shown = joined.history.filter((message) => this.show(message, 'history')).length;
    // With `more`, later messages are still to come (the next page of a resume): the seq shown stays the cursor.
    if (this.group && !joined.more) this.group.lastSeq = Math.max(this.group.lastSeq, joined.last_seq);
    if (this.group && !joined.more) this.status.shown(this.group.name, this.group.lastSeq);
    this.refreshPrompt();
    return shown;
  }
}
