/**
 * The chat screen's logic: commands typed, messages received, and reconnects.
 * It shows each message of a group once (by seq), and after a reconnect it
 * resumes the group (resume.ts), so nothing missed is lost. It builds no
 * strings: render.ts does; and it prints only through a ChatTerminal.
 */
import { assertNever } from '../protocol/errors.js';
import type { GroupSummary, JoinedReply, ServerMessage, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { Outgoing, ReplyOfType, Unsolicited } from './client.js';
import { type Command, parseInput } from './commands.js';
import { complete, CompletionNames } from './completion.js';
import { DayMarkers } from './day-markers.js';
import {
  HELP_TEXT, NOT_IN_GROUP_NOTICE, type RenderContext, renderChat, renderCommandFailure, renderDirect,
  renderEarlier, renderError, renderGroupTable, renderHint, renderJoined, renderLeft, renderMembers,
  renderNotice, renderPresence, renderProblem, renderPrompt, renderShutdown, renderUnknownCommand,
} from './render.js';
import { ChatRecovery } from './chat-recovery.js';
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
  ) {
    this.names = new CompletionNames(self);
    this.recovery = new ChatRecovery(reconnect, {
      self, outbox: this.outbox, print: (text) => terminal.print(text), status: (text) => terminal.setStatus?.(text),
      quitting: () => this.quitting, quit: (code) => this.quit(code), adopt: (client) => { this.client = client; this.attach(client); },
      isLive: (client) => client === this.client && this.live, group: () => this.group,
      show: (message) => this.show(message), showLive: (message) => this.showLive(message), members: (names) => this.names.replaceUsers(names),
    });
  }

  start(joined: JoinedReply | undefined): void {
    this.attach(this.client);
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
      return complete(line, this.names);
    });
    this.terminal.onInterrupt(() => void this.quit());
    this.terminal.onEnd(() => void this.quit());
  }

  private get context(): RenderContext {
    return { self: this.self, width: this.terminal.columns };
  }

  private prompt(): string {
    return renderPrompt(this.group?.name);
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
      default:
        assertNever(message);
    }
  }

  /** The server's groups now; their names are kept for Tab. */
  private async refreshGroups(): Promise<GroupSummary[]> {
    const { groups } = await this.client.call({ type: 'list_groups' }, 'groups');
    this.names.replaceGroups(groups.map((group) => group.name));
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
    const shown = joined.history.filter((message) => this.show(message)).length;
    // With `more`, later messages are still to come (the next page of a resume): the seq shown stays the cursor.
    if (this.group && !joined.more) this.group.lastSeq = Math.max(this.group.lastSeq, joined.last_seq);
    this.terminal.setPrompt(this.prompt());
    return shown;
  }

  private async handle(command: Command): Promise<void> {
    try {
      await this.run(command);
    } catch (error) {
      const unsent = command.kind === 'say' || command.kind === 'msg' ? command.text : undefined;
      this.terminal.print(renderCommandFailure(error, unsent));
    }
  }

  private async run(command: Command): Promise<void> {
    const client = this.client;
    switch (command.kind) {
      case 'empty': return;
      case 'help': this.terminal.print(HELP_TEXT); return;
      case 'usage': this.terminal.print(renderHint(command.usage)); return;
      case 'unsendable': this.terminal.print(renderProblem(command.problem)); return;
      case 'unknown': this.terminal.print(renderUnknownCommand(command.name)); return;
      case 'quit': await this.quit(); return;
      case 'set': this.bellOn = command.bell; this.terminal.print(renderBellSetting(command.bell)); return;
      case 'say': {
        if (this.group === undefined) {
          this.terminal.print(renderHint('not in a group: /join GROUP first'));
          return;
        }
        for (const text of splitPaste(command.text)) this.outbox.push({ kind: 'say', group: this.group.name, text });
        return;
      }
      case 'msg': this.outbox.push({ kind: 'dm', to: command.to, text: command.text }); return;
      case 'groups':
        this.terminal.print(renderGroupTable(await this.refreshGroups()));
        return;
      case 'create':
        await client.call({ type: 'create_group', group: command.group }, 'group_created');
        this.showJoined(await client.call({ type: 'join', group: command.group }, 'joined'), false);
        return;
      case 'join':
        this.showJoined(await client.call({ type: 'join', group: command.group }, 'joined'), false);
        return;
      case 'leave': {
        const reply = await client.call({ type: 'leave' }, 'left');
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
    this.outbox.resume(); // what waits is given up
    this.terminal.close();
    await this.client.bye();
    this.done(code);
  }
}
