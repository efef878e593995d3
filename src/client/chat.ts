/**
 * The chat screen's controller, a view over a ChatClient (model/chat-client.ts),
 * which owns the connection, reconnects until the user quits and resumes the
 * group. It holds the windows (window-screen.ts: one per group and
 * conversation, window 1 for the server) and wires the terminal's lines and
 * keys (Alt-1 … Alt-9) to the command runner (command-runner.ts), the
 * ChatClient's events to the windows (chat-receiver.ts, shown-group.ts), and
 * its recovery events to chat-recovery.ts. It builds no strings: render.ts
 * does; and it prints only through a ChatTerminal.
 */
import type { AccountRole, GroupsReply, GroupSummary, JoinedReply } from '../protocol/messages.js';
import type { BackoffOptions } from './backoff.js';
import { CommandRunner } from './command-runner.js';
import { complete, CompletionNames } from './completion.js';
import { showRecovery } from './chat-recovery.js';
import type { ChatClient } from './model/chat-client.js';
import type { Connection } from './model/connection.js';
import { statusOf } from './reconnect-status.js';
import { type ChatOptions, GroupStatus } from './group-status.js';
import type { ChatParts } from './chat-parts.js';
import { receive } from './chat-receiver.js';
import { NOT_IN_GROUP_NOTICE, renderCommandFailure, renderHint, renderNotice } from './render.js';
import { renderQuitQuestion, renderUnsentAtQuit, STAY_HINT } from './render-sending.js';
import { renderPending } from './render-notices.js';
import { ShownGroup } from './shown-group.js';
import type { ChatTerminal } from './chat-terminal.js';
import { parseWindowedInput, WINDOW_KEYS } from './window-commands.js';
import { WindowScreen } from './window-screen.js';
import { WindowLogs } from './window-logs.js';
import { ConversationReads } from './conversation-reads.js';

/** What a ChatClient runs on: a ProtocolClient; a fake in tests (`ChatClient.over`). */
export type ChatConnection = Connection;

export interface ChatControllerOptions extends ChatOptions {
  /** `/passwd` succeeded (the ChatClient's reconnects sign in with `password`). */
  passwordChanged?(password: string): void;
  /** The delays between reconnect tries (DEFAULT_BACKOFF). */
  reconnectBackoff?: BackoffOptions | undefined;
  /** The server as connected to: the status window's title and the log files' folder. */
  host?: string | undefined;
  port?: number | undefined;
  /** `--log-dir`: the window logs are written there from the start. */
  logDir?: string | undefined;
}

export class ChatController {
  private readonly names: CompletionNames;
  private quitting = false;
  private bellOn = true;
  /** The server said `account_disabled`: the close that follows ends the client. */
  private accountDisabled = false;
  private readonly status: GroupStatus;
  private readonly view: ShownGroup;
  /** The windows, and the terminal as the parts print on it (kept in the shown window). */
  private readonly screen: WindowScreen;
  private readonly logs: WindowLogs;
  /** The conversations' read markers, moved as their windows show messages. */
  private readonly conversationReads: ConversationReads;
  private readonly commands: CommandRunner;
  /** What the command runner and the group moves work on. */
  private readonly parts: ChatParts;
  private done!: (code: number) => void;
  /** `/quit` with messages unsent asked once already: the next one quits. */
  private quitAsked = false;
  readonly finished = new Promise<number>((resolve) => { this.done = resolve; });

  /**
   * The screen over `chat`, signed in (the sign-in dialog, app.ts, did it) and
   * perhaps in a group; from now on it reconnects until the user quits, with
   * the credentials it signed in with (the password /passwd sets last).
   */
  constructor(
    private readonly chat: ChatClient,
    private readonly terminal: ChatTerminal,
    private readonly options: ChatControllerOptions = {},
  ) {
    const self = chat.self ?? '';
    this.names = new CompletionNames(self);
    this.screen = new WindowScreen(terminal, self, options.host ?? 'server', {
      promptChanged: () => this.view.refreshPrompt(),
      bellOn: () => this.bellOn,
      conversationShown: (user, seq) => this.conversationReads.shown(user, seq),
    });
    this.conversationReads = new ConversationReads({ call: (request, expect) => this.chat.caller.call(request, expect) }, options.markReadIntervalMs);
    const shownTerminal = this.screen.terminal;
    this.logs = new WindowLogs(this.screen, { host: options.host ?? 'server', port: options.port ?? 0, dir: options.logDir });
    this.chat.keepUp({
      backoff: options.reconnectBackoff,
      untilStopped: { stopped: () => this.quitting, waiting: (wait) => this.terminal.setStatus?.(statusOf(wait)) },
      // Each group window resumes after the last message it holds.
      shownSeq: (group) => (this.view.isCurrent(group) ? this.view.current?.lastSeq : this.screen?.windows.list.findGroup(group)?.scrollBack.lastSeq()),
      // What the user sends, exactly once (the ChatClient's outbox): shown so.
      sending: {
        acked: (item, ack) => this.view.showSent(item, ack.ts, ack.seq),
        pending: ({ text }) => shownTerminal.print(renderPending(text)),
        failed: ({ text }, error) => shownTerminal.print(renderCommandFailure(error, text)),
        // A disabled account ends the client at the close (chat-recovery.ts): nothing waits.
        waitsOnLost: () => !this.quitting && !this.accountDisabled,
      },
    });
    // The account's role as each reconnect's auth_ok says it (when the ChatClient signs in).
    this.chat.on('signed_in', ({ role }) => this.accountRoleIs(role));
    this.status = new GroupStatus({
      call: (request, expect) => this.chat.caller.call(request, expect),
      print: (text) => shownTerminal.print(text),
      promptChanged: () => this.view.refreshPrompt(),
    }, self, options);
    this.view = new ShownGroup(this.screen, this.status, this.names, self);
    this.parts = {
      chat: this.chat, self, terminal: shownTerminal, screen: this.screen, status: this.status, names: this.names, view: this.view,
      refreshGroups: () => this.refreshGroups(),
      setBell: (on) => { this.bellOn = on; },
      setLog: (on) => this.logs.turn(on),
      quit: () => this.quitOrAsk(),
      passwordChanged: (password) => {
        this.chat.passwordChanged(password);
        this.options.passwordChanged?.(password);
      },
    };
    showRecovery(this.chat, this.parts, {
      quitting: () => this.quitting, quit: (code) => this.quit(code), accountDisabled: () => this.accountDisabled,
      // The unread counts of the other groups moved while offline: asked again.
      // And each conversation window catches up.
      resumed: () => {
        void this.refreshGroups().catch(() => undefined);
        void this.commands.catchUp().catch((error: unknown) => this.parts.terminal.print(renderCommandFailure(error, undefined)));
      },
    });
    this.commands = new CommandRunner(this.parts);
  }

  /** `list`: the server's group list, for the unread counts of the other groups. */
  start(joined: JoinedReply | undefined, list?: GroupsReply): void {
    this.chat.on('unsolicited', (message) => receive(this.parts, message, { accountDisabled: () => { this.accountDisabled = true; } }));
    // Live messages; the missed ones a resume found are shown by the recovery (chat-recovery.ts).
    this.chat.on('message_deleted', (message) => this.screen.deleted(message));
    this.chat.on('message', (message, { missed }) => {
      // The current group's missed messages are shown by the recovery (chat-recovery.ts).
      if (this.view.isCurrent(message.group)) {
        if (!missed) this.view.show(message);
      } else if (this.screen.windows.list.findGroup(message.group) !== undefined) {
        // Another group open in a window: read once its window shows it.
        if (this.screen.groupMessage(message, missed ? 'missed' : 'live').shown) this.status.shown(message.group, message.seq);
      }
    });
    if (list) this.listed(list);
    if (joined) this.view.showJoined(joined, false);
    else this.parts.terminal.print(renderNotice(NOT_IN_GROUP_NOTICE));
    this.terminal.startChat(this.view.prompt(), (line) => {
      const command = parseWindowedInput(line);
      // Said in a group or conversation window: shown again as the message once sent.
      if (command.kind === 'say' && this.screen.shown.target.kind !== 'status') this.terminal.eraseEcho(line);
      void this.commands.handle(command);
    });
    // A paste of several lines is said as it is (never a command), cut where over the size limit.
    this.terminal.onPaste?.((text) => void this.commands.handle({ kind: 'say', text }));
    this.terminal.setCompleter(async (line) => {
      // Group names are asked for when needed: the list may have changed since it was last shown.
      if (/^\/(join|j)\s/i.test(line)) await this.refreshGroups().catch(() => undefined);
      return complete(line, { users: this.names.users, groups: this.names.groups, commands: this.commands.names() });
    });
    // Alt-n: /next (readline binds no Meta-n; Ctrl-N is its history).
    this.terminal.onMetaKey?.('n', () => void this.commands.handle({ kind: 'next' }));
    // Alt-1 … Alt-9: window 1 to 9.
    for (const key of WINDOW_KEYS) {
      this.terminal.onMetaKey?.(key, () => void this.commands.handle({ kind: 'window', command: { kind: 'window', number: Number(key) } }));
    }
    this.terminal.onInterrupt(() => void this.quitOrAsk());
    this.terminal.onEnd(() => void this.quit());
  }

  /** The account's role as a (re)connect's `auth_ok` says it: /help and Tab follow. */
  accountRoleIs(role: AccountRole | undefined): void {
    this.status.accountRoleIs(role);
  }

  /** The server's group list: the unread counts of the other groups. */
  listed(list: GroupsReply): void {
    this.status.listed(list.groups, list.more === true);
  }

  /** The server's groups now; their names are kept for Tab. */
  private async refreshGroups(): Promise<GroupSummary[]> {
    const { groups, more } = await this.chat.listGroups();
    this.names.replaceGroups(groups.map((group) => group.name));
    this.status.listed(groups, more === true);
    return groups;
  }

  /** `/quit`, Ctrl-C: with messages unsent, says how many and asks once; a second /quit (or Ctrl-D) quits. */
  private async quitOrAsk(): Promise<void> {
    const unsent = this.chat.unsent;
    if (unsent === 0 || this.quitAsked || this.quitting || this.terminal.question === undefined) return this.quit();
    this.quitAsked = true;
    let answer: string;
    try {
      answer = (await this.terminal.question(renderQuitQuestion(unsent))).trim();
    } catch {
      return this.quit(); // Ctrl-D: input ended
    }
    if (/^(y(es)?|\/quit|exit)$/i.test(answer) || this.chat.unsent === 0) return this.quit();
    this.parts.terminal.print(renderHint(STAY_HINT));
  }

  async quit(code = 0): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    const unsent = this.chat.unsent;
    if (unsent > 0) this.terminal.print(renderUnsentAtQuit(unsent));
    this.status.flush();
    this.conversationReads.flush();
    this.logs.turn(false, false);
    this.chat.stopSending();
    this.terminal.close();
    await this.chat.hangUp();
    this.done(code);
  }
}
