/**
 * The chat screen's command runner: runs one parsed line (commands.ts,
 * window-commands.ts) against the current connection and the shown window,
 * and prints why it failed (the unsent text kept with it). The window
 * commands are window-command-runner.ts's. Reconnects and received messages
 * are chat.ts's.
 */
import { assertNever, ProtocolError } from '../protocol/errors.js';
import { nameKey } from '../protocol/names.js';
import type { ChatParts } from './chat-parts.js';
import { commandNames } from './completion.js';
import type { WindowedCommand } from './window-commands.js';
import { WINDOW_COMMAND_NAMES } from './window-commands.js';
import { WindowCommandRunner } from './window-command-runner.js';
import { HELP_COLUMNS, windowHelpText } from './windows/window-help.js';
import { jumpToNext, moderate } from './group-moves.js';
import { splitPaste } from './paste.js';
import {
  renderChat, renderCommandFailure, renderEarlier, renderGroupTable, renderHint, renderMembers, renderProblem,
  renderUnknownCommand,
} from './render.js';
import { renderBanned } from './render-moderation.js';
import { renderBellSetting } from './render-notices.js';

export class CommandRunner {
  private readonly windows: WindowCommandRunner;

  constructor(private readonly host: ChatParts) {
    this.windows = new WindowCommandRunner(host);
  }

  /** After a reconnect: the conversation windows catch up. */
  catchUp(): Promise<void> {
    return this.windows.catchUp();
  }

  /** The commands Tab offers now (the roles' and the window commands). */
  names(): string[] {
    return [...new Set([...commandNames(this.host.status.roles), ...WINDOW_COMMAND_NAMES])].sort();
  }

  /** Runs `command`; a failure is printed, never thrown. */
  async handle(command: WindowedCommand): Promise<void> {
    try {
      await this.run(command);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'banned' && (command.kind === 'join' || command.kind === 'create')) {
        this.host.terminal.print(renderBanned(command.group));
        return;
      }
      const unsent = command.kind === 'say' || command.kind === 'msg' ? command.text : undefined;
      if (command.kind === 'window' && (command.command.kind === 'query' || command.command.kind === 'reply')) {
        this.host.terminal.print(renderCommandFailure(error, command.command.text));
        return;
      }
      this.host.terminal.print(renderCommandFailure(error, unsent));
    }
  }

  private async run(command: WindowedCommand): Promise<void> {
    const { chat, terminal, view } = this.host;
    switch (command.kind) {
      case 'empty': return;
      case 'window': await this.windows.run(command.command); return;
      case 'help': terminal.print(windowHelpText(this.host.status.roles, Math.min(terminal.columns, HELP_COLUMNS))); return;
      case 'next': await jumpToNext(this.host); return;
      case 'moderation':
        view.shownList = (await moderate(this.host, command.command)) ?? view.shownList;
        view.refreshPrompt();
        return;
      case 'usage': terminal.print(renderHint(command.usage)); return;
      case 'unsendable': terminal.print(renderProblem(command.problem)); return;
      case 'unknown': terminal.print(renderUnknownCommand(command.name)); return;
      case 'quit': await this.host.quit(); return;
      case 'set': this.host.setBell(command.bell); terminal.print(renderBellSetting(command.bell)); return;
      case 'say': {
        const shown = this.host.screen.shown;
        if (shown.target.kind === 'conversation') {
          for (const text of splitPaste(command.text)) this.host.chat.send({ kind: 'dm', to: shown.title, text });
          return;
        }
        if (shown.target.kind === 'status') {
          // Back at the list: a number from it joins that group.
          const picked = /^\s*\d+\s*$/.test(command.text) ? view.shownList[Number(command.text) - 1] : undefined;
          // A join of its own: a refusal is the join's, and the number was never a chat line.
          if (picked !== undefined) return this.handle({ kind: 'join', group: picked.name });
          terminal.print(renderHint(view.current === undefined ? 'not in a group: /join GROUP first' : 'this is the status window: /window N to go to a group or conversation'));
          return;
        }
        for (const text of splitPaste(command.text)) this.host.chat.send({ kind: 'say', group: shown.title, text });
        return;
      }
      case 'msg': this.host.chat.send({ kind: 'dm', to: command.to, text: command.text }); return;
      case 'groups': {
        const groups = await this.host.refreshGroups();
        const filter = command.filter?.toLowerCase();
        // The numbers typed next pick from what is shown: the filtered list.
        view.shownList = filter === undefined ? groups : groups.filter((group) => nameKey(group.name).includes(filter));
        terminal.print(renderGroupTable(view.shownList));
        return;
      }
      case 'create':
        await chat.createGroup(command.group, { private: command.private });
        await this.windows.join(command.group);
        return;
      case 'join': await this.windows.join(command.group); return;
      case 'leave': await this.windows.run({ kind: 'part' }); return;
      case 'who': {
        const shown = this.windows.shownGroup();
        if (shown === undefined) {
          terminal.print(renderHint(view.current === undefined ? 'not in a group: /join GROUP' : 'not in a group window: /window N'));
          return;
        }
        const reply = await chat.who(shown.title);
        this.host.names.replaceUsers(reply.members);
        terminal.print(renderMembers(reply));
        return;
      }
      case 'history': {
        if (this.host.screen.shown.target.kind === 'conversation') return this.windows.conversationHistory(command.count);
        const shown = this.windows.shownGroup();
        if (shown === undefined) {
          terminal.print(renderHint('not in a group window'));
          return;
        }
        // The current group's cursor moves with each page; another group's starts before its oldest line held.
        const group = view.isCurrent(shown.title) ? view.current : undefined;
        const before = group?.oldestSeq ?? shown.scrollBack.firstSeq() ?? Number.MAX_SAFE_INTEGER;
        const reply = await chat.history(before, command.count, shown.title);
        for (const line of renderEarlier(reply.messages, reply.more, view.context, renderChat)) terminal.print(line);
        const oldest = reply.messages[0];
        if (oldest !== undefined && group !== undefined) group.oldestSeq = oldest.seq;
        return;
      }
      default:
        assertNever(command);
    }
  }
}
