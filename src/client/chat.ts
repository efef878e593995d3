/**
 * The chat screen's logic: commands typed, messages received, and reconnects.
 * It shows each message of a group once (by seq), and after a reconnect it
 * resumes the group (resume.ts), so nothing missed is lost. It builds no
 * strings: render.ts does; and it prints only through a ChatTerminal.
 */
import { assertNever, ProtocolError } from '../protocol/errors.js';
import type { GroupsReply, GroupSummary, JoinedReply, ServerMessage, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { Outgoing, ReplyOfType, Unsolicited } from './client.js';
import { type Command, parseInput } from './commands.js';
import { complete, CompletionNames } from './completion.js';
import { ChatRecovery } from './chat-recovery.js';
import { DayMarkers } from './day-markers.js';
import { type ChatOptions, GroupStatus } from './group-status.js';
import { type ChatScreen, jumpToNext, moderate, removedFromGroup } from './group-moves.js';
import {
  NOT_IN_GROUP_NOTICE, type RenderContext, renderChat, renderCommandFailure, renderDirect,
  renderEarlier, renderError, renderGroupTable, renderHint, renderJoined, renderLeft, renderMembers,
  renderNotice, renderPresence, renderProblem, renderShutdown, renderUnknownCommand,
} from './render.js';
import { renderBanned } from './render-moderation.js';
import { Outbox, type OutboxItem } from './outbox.js';
import { splitPaste } from './paste.js';
import { mentionsSelf, renderBellSetting, renderPending } from './render-notices.js';
import type { ChatTerminal } from './terminal.js';

/** What the chat screen needs of a signed-in connection (a ProtocolClient; a fake in tests). */
export interface ChatConnection {
  call<T extends ServerMessage['type']>(request: Outgoing, expect: T): Promise<ReplyOfType<T>>;
  bye(): Promise<void>;
  on(event: 'message', listener: (message: Unsolicited) => void): unknown;
  on(event: 'close', listener: (error: Error | undefined) => void): unknown;
}

/** Makes a fresh signed-in connection (used to reconnect). */
export type Reconnect = () => Promise<ChatConnection>;

interface GroupView {
  name: string;
  /** Highest seq shown. */
  lastSeq: number;
  /** Lowest seq shown, for /history. */
  oldestSeq: number;
}

export class ChatController {
  private group: GroupView | undefined;
  private readonly names: CompletionNames;
  private quitting = false;
  private bellOn = true;
  private readonly status: GroupStatus;
  /** The group list last shown (a number typed outside a group joins from it). */
  private shownList: GroupSummary[] = [];
  /** False from a `close` of the current connection until the next one is attached. */
  private live = true;
  private readonly days = new DayMarkers();
  private readonly outbox = new Outbox({
    send: (item) => this.client.call(item.kind === 'say' ? { type: 'say', text: item.text } : { type: 'dm', to: item.to, text: item.text }, 'ack'),
    acked: (item, ack) => this.showSent(item, ack.ts, ack.seq),
    pending: ({ text }) => this.terminal.print(renderPending(text)),
    failed: ({ text }, error) => this.terminal.print(renderCommandFailure(error, text)),
    running: () => !this.quitting,
  });
  private readonly recovery: ChatRecovery;
  private done!: (code: number) => void;
  readonly finished = new Promise<number>((resolve) => { this.done = resolve; });

  constructor(
    private client: ChatConnection,
    private readonly self: string,
    private readonly terminal: ChatTerminal,
    reconnect: Reconnect,
    options: ChatOptions = {},
  ) {
    this.names = new CompletionNames(self);
    this.status = new GroupStatus({
      call: (request, expect) => this.client.call(request, expect),
      print: (text) => this.terminal.print(text),
      promptChanged: () => this.terminal.setPrompt(this.prompt()),
    }, self, options);
    this.recovery = new ChatRecovery(reconnect, {
      self, outbox: this.outbox, print: (text) => terminal.print(text), status: (text) => terminal.setStatus?.(text),
      quitting: () => this.quitting, quit: (code) => this.quit(code), adopt: (client) => { this.client = client; this.attach(client); },
      isLive: (client) => client === this.client && this.live, group: () => this.group,
      show: (message) => this.show(message), showLive: (message) => this.showLive(message), members: (names) => this.names.replaceUsers(names),
      // The unread counts of the other groups moved while offline: asked again.
      resumed: () => void this.refreshGroups().catch(() => undefined),
    });
  }

  /** What group-moves.ts needs of this screen. */
  private get screen(): ChatScreen {
    return {
      client: this.client, terminal: this.terminal, status: this.status, self: this.self,
      current: () => this.group,
      showJoined: (joined, resumed) => this.showJoined(joined, resumed),
      clearGroup: () => {
        this.group = undefined;
        this.names.replaceUsers([]);
        this.terminal.setPrompt(this.prompt());
      },
      refreshGroups: () => this.refreshGroups(),
    };
  }

  /** `list`: the server's group list, for the unread counts of the other groups. */
  start(joined: JoinedReply | undefined, list?: GroupsReply): void {
    this.attach(this.client);
    if (list) this.listed(list);
    if (joined) this.showJoined(joined, false);
    else this.terminal.print(renderNotice(NOT_IN_GROUP_NOTICE));
    this.terminal.startChat(this.prompt(), (line) => {
      const command = parseInput(line);
      if (command.kind === 'say' && this.group !== undefined) this.terminal.eraseEcho(line);
      void this.handle(command);
    });
    // A paste of several lines is said as it is (never a command), cut where over the size limit.
    this.terminal.onPaste?.((text) => void this.handle({ kind: 'say', text }));
    this.terminal.setCompleter(async (line) => {
      // Group names are asked for when needed: the list may have changed since it was last shown.
      if (/^\/join\s/i.test(line)) await this.refreshGroups().catch(() => undefined);
      return complete(line, { users: this.names.users, groups: this.names.groups, commands: this.status.commands() });
    });
    // Alt-n: /next (readline binds no Meta-n; Ctrl-N is its history).
    this.terminal.onMetaKey?.('n', () => void this.handle({ kind: 'next' }));
    this.terminal.onInterrupt(() => void this.quit());
    this.terminal.onEnd(() => void this.quit());
  }

  /** The server's group list: the unread counts of the other groups. */
  listed(list: GroupsReply): void {
    this.status.listed(list.groups, list.more === true);
  }

  private get context(): RenderContext {
    return { self: this.self, width: this.terminal.columns };
  }

  private prompt(): string {
    return this.status.prompt(this.group?.name);
  }

  private attach(client: ChatConnection): void {
    this.live = true;
    client.on('message', (message) => this.receive(message));
    client.on('close', (error) => {
      if (client !== this.client || this.quitting) return;
      this.live = false;
      void this.recovery.recover(error);
    });
  }

  private receive(message: Unsolicited): void {
    switch (message.type) {
      case 'msg':
        if (!this.recovery.hold(message)) this.showLive(message);
        return;
      case 'presence':
        if (this.inCurrentGroup(message.group)) this.names.noteUsers(message.event === 'join' ? [message.user] : [], message.event === 'leave' ? [message.user] : []);
        this.terminal.print(renderPresence(message.user, message.group, message.event, Date.now()));
        return;
      case 'dm':
        this.names.noteUsers([message.from]);
        this.printDated(message.ts, renderDirect(message, this.context));
        this.ring();
        return;
      case 'error':
        this.terminal.print(renderError(message.code, message.message));
        return;
      case 'shutdown':
        this.terminal.print(renderShutdown(message.message));
        return;
      case 'topic': this.status.topicMessage(message); return;
      case 'activity': this.status.activity(message); return;
      case 'kicked': case 'group_deleted':
        void removedFromGroup(this.screen, message).then((list) => { this.shownList = list ?? this.shownList; }, (error: unknown) => this.terminal.print(renderCommandFailure(error, undefined)));
        return;
      default:
        assertNever(message);
    }
  }

  /** The server's groups now; their names are kept for Tab. */
  private async refreshGroups(): Promise<GroupSummary[]> {
    const { groups, more } = await this.client.call({ type: 'list_groups' }, 'groups');
    this.names.replaceGroups(groups.map((group) => group.name));
    this.status.listed(groups, more === true);
    return groups;
  }

  private inCurrentGroup(name: string): boolean {
    return this.group !== undefined && nameKey(this.group.name) === nameKey(name);
  }

  /** A live message: shown when it belongs to the current group. */
  private showLive(message: StoredMessage): void {
    if (this.inCurrentGroup(message.group) && this.show(message) && mentionsSelf(message, this.self)) this.ring();
  }

  private ring(): void {
    if (this.bellOn) this.terminal.bell?.();
  }

  /** Shows a group message once; returns false for one already shown. */
  private show(message: StoredMessage): boolean {
    const group = this.group;
    if (group === undefined || message.seq <= group.lastSeq) return false;
    group.lastSeq = message.seq;
    this.printDated(message.ts, renderChat(message, this.context));
    this.status.shown(group.name, message.seq);
    return true;
  }

  /** Prints a message's lines, after a day marker when its date is not the last one shown. */
  private printDated(ts: number, text: string): void {
    const marker = this.days.before(ts);
    this.terminal.print(marker === undefined ? text : `${marker}\n${text}`);
  }

  /** A message of the user's, once acked. */
  private showSent(item: OutboxItem, ts: number, seq = 0): void {
    if (item.kind === 'say') this.show({ group: item.group, seq, from: this.self, text: item.text, ts });
    else this.printDated(ts, renderDirect({ from: this.self, to: item.to, text: item.text, ts }, this.context));
  }

  /** Shows a `joined` reply: the group, who is in it, and its messages not shown yet; returns how many were shown. */
  private showJoined(joined: JoinedReply, resumed: boolean): number {
    if (!resumed || !this.inCurrentGroup(joined.group)) {
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
    this.terminal.setPrompt(this.prompt());
    return shown;
  }

  private async handle(command: Command): Promise<void> {
    try {
      await this.run(command);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'banned' && (command.kind === 'join' || command.kind === 'create')) {
        this.terminal.print(renderBanned(command.group));
        return;
      }
      const unsent = command.kind === 'say' || command.kind === 'msg' ? command.text : undefined;
      this.terminal.print(renderCommandFailure(error, unsent));
    }
  }

  private async run(command: Command): Promise<void> {
    const client = this.client;
    switch (command.kind) {
      case 'empty': return;
      case 'help': this.terminal.print(this.status.help()); return;
      case 'next': await jumpToNext(this.screen); return;
      case 'moderation':
        this.shownList = (await moderate(this.screen, command.command)) ?? this.shownList;
        this.terminal.setPrompt(this.prompt());
        return;
      case 'usage': this.terminal.print(renderHint(command.usage)); return;
      case 'unsendable': this.terminal.print(renderProblem(command.problem)); return;
      case 'unknown': this.terminal.print(renderUnknownCommand(command.name)); return;
      case 'quit': await this.quit(); return;
      case 'set': this.bellOn = command.bell; this.terminal.print(renderBellSetting(command.bell)); return;
      case 'say': {
        if (this.group === undefined) {
          // Back at the list: a number from it joins that group.
          const picked = /^\s*\d+\s*$/.test(command.text) ? this.shownList[Number(command.text) - 1] : undefined;
          if (picked !== undefined) return this.run({ kind: 'join', group: picked.name });
          this.terminal.print(renderHint('not in a group: /join GROUP first'));
          return;
        }
        for (const text of splitPaste(command.text)) this.outbox.push({ kind: 'say', group: this.group.name, text });
        return;
      }
      case 'msg': this.outbox.push({ kind: 'dm', to: command.to, text: command.text }); return;
      case 'groups':
        this.shownList = await this.refreshGroups();
        this.terminal.print(renderGroupTable(this.shownList));
        return;
      case 'create':
        await client.call(command.private ? { type: 'create_group', group: command.group, private: true } : { type: 'create_group', group: command.group }, 'group_created');
        this.showJoined(await client.call({ type: 'join', group: command.group }, 'joined'), false);
        return;
      case 'join':
        this.showJoined(await client.call({ type: 'join', group: command.group }, 'joined'), false);
        return;
      case 'leave': {
        this.status.flush();
        const reply = await client.call({ type: 'leave' }, 'left');
        this.status.left();
        this.group = undefined;
        this.names.replaceUsers([]);
        this.terminal.print(renderLeft(reply.group));
        this.terminal.setPrompt(this.prompt());
        return;
      }
      case 'who': {
        if (this.group === undefined) {
          this.terminal.print(renderHint('not in a group: /join GROUP'));
          return;
        }
        const reply = await client.call({ type: 'who' }, 'members');
        this.names.replaceUsers(reply.members);
        this.terminal.print(renderMembers(reply));
        return;
      }
      case 'history': {
        const group = this.group;
        if (group === undefined) {
          this.terminal.print(renderHint('not in a group'));
          return;
        }
        const reply = await client.call({ type: 'history', before: group.oldestSeq, limit: command.count }, 'history');
        for (const line of renderEarlier(reply.messages, reply.more, this.context)) this.terminal.print(line);
        const oldest = reply.messages[0];
        if (oldest !== undefined) group.oldestSeq = oldest.seq;
        return;
      }
      default:
        assertNever(command);
    }
  }

  async quit(code = 0): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    this.status.flush();
    this.outbox.resume(); // what waits is given up
    this.terminal.close();
    await this.client.bye();
    this.done(code);
  }
}
