/**
 * The window and conversation commands (window-commands.ts) run on the chat
 * screen's parts: `/window N`, `/query USER [TEXT]`, `/close`, `/part`, `/r`,
 * `/lastlog`, `/delete`, `/block`, `/unblock`, `/set log`. A failure is thrown
 * to the command runner (command-runner.ts), which prints it.
 */
import { assertNever } from '../protocol/errors.js';
import { nameKey } from '../protocol/names.js';
import type { ChatParts } from './chat-parts.js';
import { renderDirect, renderEarlier, renderHint, renderLeft, renderNotice } from './render.js';
import { sanitizeLine } from './sanitize.js';
import type { WindowCommand } from './window-commands.js';
import { lastlog } from './windows/lastlog.js';
import type { ChatWindow } from './windows/window-list.js';

/** The lines of a conversation's history a `/query` shows at first. */
export const QUERY_HISTORY = 50;

export class WindowCommandRunner {
  constructor(private readonly parts: ChatParts) {}

  async run(command: WindowCommand): Promise<void> {
    const { screen, terminal } = this.parts;
    switch (command.kind) {
      case 'window':
        if (!screen.showNumber(command.number)) terminal.print(renderHint(`no window ${command.number} (/window 1 … ${screen.windows.list.all().length})`));
        else this.parts.view.windowShown();
        return;
      case 'query':
        await this.query(command.user);
        if (command.text !== undefined) this.parts.chat.send({ kind: 'dm', to: command.user, text: command.text });
        return;
      case 'reply': {
        const to = screen.windows.replyTarget();
        if (to === undefined) {
          terminal.print(renderHint('nobody wrote to you directly yet: /msg USER TEXT'));
          return;
        }
        this.parts.chat.send({ kind: 'dm', to, text: command.text });
        return;
      }
      case 'close': return this.close(screen.shown);
      case 'part': {
        // Without GROUP: the shown group window, else the group the connection is in.
        const name = command.group ?? (screen.shown.target.kind === 'group' ? screen.shown.title : this.parts.view.current?.name);
        const window = name === undefined ? undefined : screen.windows.list.findGroup(name);
        if (window === undefined || window.target.kind !== 'group') {
          terminal.print(renderHint(command.group === undefined ? 'not in a group window: /part GROUP' : `not in ${command.group}`));
          return;
        }
        return this.close(window);
      }
      case 'lastlog': {
        const found = lastlog(screen.shown.scrollBack.lines(), command.text);
        const shown = screen.shown;
        const text = found.map((line) => screen.renderLine(shown, line));
        terminal.print(renderNotice(`lastlog "${command.text}": ${found.length} line${found.length === 1 ? '' : 's'}`));
        // Printed, not kept: the scroll-back keeps its lines once.
        if (text.length > 0) screen.printOnly(text.join('\n'));
        return;
      }
      case 'block': case 'unblock':
        await (command.kind === 'block' ? this.parts.chat.block(command.user) : this.parts.chat.unblock(command.user));
        terminal.print(renderNotice(`${command.kind === 'block' ? 'blocked' : 'unblocked'} ${command.user}`));
        return;
      case 'delete': return this.delete(command.seq);
      case 'log': this.parts.setLog(command.on); return;
      default:
        assertNever(command);
    }
  }

  /** The shown window when it is a group's. */
  shownGroup(): ChatWindow | undefined {
    const shown = this.parts.screen.shown;
    return shown.target.kind === 'group' ? shown : undefined;
  }

  /** `/join GROUP`: joined beside the other groups (`keep`), after what its window holds; its window shown. */
  async join(group: string): Promise<void> {
    const since = this.parts.screen.windows.list.findGroup(group)?.scrollBack.lastSeq();
    this.parts.view.showJoined(await this.parts.chat.join(group, { keep: true, since }), false);
  }

  /** After a reconnect: each conversation window asks what came after its last message (`dm_history` with `since`). */
  async catchUp(): Promise<void> {
    const { screen, chat } = this.parts;
    for (const window of screen.windows.list.conversationWindows()) {
      const since = window.scrollBack.lastSeq();
      if (since === undefined) continue;
      for (let more = true; more;) {
        const page = await chat.dmHistory(window.title, { since: window.scrollBack.lastSeq() ?? since });
        for (const message of page.messages) screen.directMessage(message, 'missed');
        more = page.more && page.messages.length > 0;
      }
    }
  }

  /** `/history [N]` in a conversation window: the N messages before the oldest it holds, printed, and kept in front of its scroll-back. */
  async conversationHistory(count: number | undefined): Promise<void> {
    const { screen } = this.parts;
    const window = screen.shown;
    const before = window.scrollBack.firstSeq();
    const page = await this.parts.chat.dmHistory(window.title, before === undefined ? { limit: count } : { before, limit: count });
    window.scrollBack.addMessages(page.messages);
    const lines = renderEarlier(page.messages, page.more, screen.context, renderDirect);
    screen.printOnly(lines.join('\n'));
  }

  /** `/query USER`: the conversation's window, shown, with its history from the server (only what it does not hold). */
  async query(user: string): Promise<void> {
    const { screen } = this.parts;
    const opened = screen.windows.list.findConversation(user) === undefined;
    const { window } = screen.windows.list.openConversation(user);
    if (window !== screen.shown) screen.show(window, false);
    if (opened) screen.event(window, renderNotice(`conversation with ${sanitizeLine(user)}`));
    this.parts.view.refreshPrompt();
    const since = window.scrollBack.lastSeq();
    const reply = await this.parts.chat.dmHistory(user, since === undefined ? { limit: QUERY_HISTORY } : { since });
    for (const message of reply.messages) screen.directMessage(message, 'history');
  }

  /** `/close`: a group is left (its window goes), a conversation's window closed; the status window stays. */
  private async close(window: ChatWindow): Promise<void> {
    const { screen, terminal, view } = this.parts;
    if (window.target.kind === 'status') {
      terminal.print(renderHint('the status window stays open'));
      return;
    }
    if (window.target.kind === 'conversation') {
      screen.close(window);
      return;
    }
    this.parts.status.flush();
    const reply = await this.parts.chat.leave(window.title);
    this.parts.status.left(reply.group, this.parts.chat.group);
    if (view.isCurrent(reply.group)) view.forget(this.parts.chat.group);
    else screen.close(window);
    terminal.print(renderLeft(reply.group));
    view.refreshPrompt();
  }

  /** `/delete [SEQ]`: message SEQ of the shown window, or the user's last one there. */
  private async delete(seq: number | undefined): Promise<void> {
    const { screen, terminal, self } = this.parts;
    const window = screen.shown;
    if (window.target.kind === 'status') {
      terminal.print(renderHint('/delete works in a group or conversation window'));
      return;
    }
    const selfKey = nameKey(self);
    const target = seq ?? window.scrollBack.lastMessageBy((from) => nameKey(from) === selfKey)?.seq;
    if (target === undefined) {
      terminal.print(renderHint('no message of yours here to delete: /delete SEQ'));
      return;
    }
    await this.parts.chat.deleteMessage(window.target.kind === 'group' ? { group: window.title } : { user: window.title }, target);
  }
}
