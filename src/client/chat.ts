/**
 * The chat screen's logic: commands typed, messages received, and reconnects.
 * It shows each message of a group once (by seq), and after a reconnect it
 * rejoins with `since` = the last seq seen, so nothing missed is lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import kleur from 'kleur';
import { errorMessage, ProtocolError } from '../protocol/errors.js';
import type { GroupSummary, JoinedReply, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import { backoffDelay } from './backoff.js';
import type { ProtocolClient, Unsolicited } from './client.js';
import { CertificateError } from './connect.js';
import { type Command, parseInput } from './commands.js';
import { complete } from './completion.js';
import {
  HELP_TEXT, renderChat, renderDirect, renderError, renderGroupTable, renderNotice, renderPresence, renderStatus,
} from './render.js';
import { sanitizeLine } from './sanitize.js';
import type { Screen } from './terminal.js';

/** Makes a fresh signed-in connection (used to reconnect). */
export type Reconnect = () => Promise<ProtocolClient>;

interface GroupView {
  name: string;
  /** Highest seq shown. */
  lastSeq: number;
  /** Lowest seq shown, for /history. */
  oldestSeq: number;
}

export class ChatController {
  private group: GroupView | undefined;
  /** For Tab: who is in the current group (and who wrote to us), by key; group names seen. */
  private readonly users = new Map<string, string>();
  private readonly groups = new Set<string>();
  /** While a resume pages through what was missed, live messages wait here (shown after, once). */
  private heldLive: StoredMessage[] | undefined;
  private quitting = false;
  private done!: (code: number) => void;
  readonly finished = new Promise<number>((resolve) => { this.done = resolve; });

  constructor(
    private client: ProtocolClient,
    private readonly self: string,
    private readonly screen: Screen,
    private readonly reconnect: Reconnect,
  ) {}

  start(joined: JoinedReply | undefined): void {
    this.attach(this.client);
    if (joined) this.showJoined(joined, false);
    else this.screen.print(renderNotice('Not in a group: /groups to list them, /join GROUP or /create GROUP.'));
    this.screen.startChat(this.prompt(), (line) => {
      const command = parseInput(line);
      if (command.kind === 'say' && this.group !== undefined) this.screen.eraseEcho(line);
      void this.handle(command);
    });
    this.screen.setCompleter(async (line) => {
      // Group names are asked for when needed: the list may have changed since it was last shown.
      if (/^\/join\s/i.test(line)) await this.refreshGroups().catch(() => undefined);
      return complete(line, { users: [...this.users.values()], groups: [...this.groups] });
    });
    this.screen.onInterrupt(() => void this.quit());
    this.screen.onEnd(() => void this.quit());
  }

  private prompt(): string {
    return this.group ? `${kleur.bold(sanitizeLine(this.group.name))}> ` : '> ';
  }

  private attach(client: ProtocolClient): void {
    client.on('message', (message) => this.receive(message));
    client.on('close', (error) => {
      if (client === this.client && !this.quitting) void this.recover(error);
    });
  }

  private receive(message: Unsolicited): void {
    const context = { self: this.self, width: this.screen.columns };
    switch (message.type) {
      case 'msg':
        if (this.heldLive) this.heldLive.push(message);
        else this.showLive(message);
        return;
      case 'presence':
        if (this.inCurrentGroup(message.group)) this.noteUsers(message.event === 'join' ? [message.user] : [], message.event === 'leave' ? [message.user] : []);
        this.screen.print(renderPresence(message.user, message.group, message.event, Date.now()));
        return;
      case 'dm':
        this.noteUsers([message.from]);
        this.screen.print(renderDirect(message, context));
        return;
      case 'error':
        this.screen.print(renderError(message.code, message.message));
        return;
      case 'shutdown':
        this.screen.print(renderStatus(shutdownNotice(sanitizeLine(message.message))));
        return;
    }
  }

  /** The server's groups now; their names are kept for Tab. */
  private async refreshGroups(): Promise<GroupSummary[]> {
    const { groups } = await this.client.call({ type: 'list_groups' }, 'groups');
    this.groups.clear();
    for (const group of groups) this.groups.add(sanitizeLine(group.name));
    return groups;
  }

  /** Names offered by Tab (sanitized: they go back into the line being typed); never our own. */
  private noteUsers(present: readonly string[], gone: readonly string[] = []): void {
    for (const name of present) if (nameKey(name) !== nameKey(this.self)) this.users.set(nameKey(name), sanitizeLine(name));
    for (const name of gone) this.users.delete(nameKey(name));
  }

  private inCurrentGroup(name: string): boolean {
    return this.group !== undefined && nameKey(this.group.name) === nameKey(name);
  }

  /** A live message: shown when it belongs to the current group. */
  private showLive(message: StoredMessage): void {
    if (this.inCurrentGroup(message.group)) this.show(message);
  }

  /** Shows a group message once; returns false for one already shown. */
  private show(message: StoredMessage): boolean {
    const group = this.group;
    if (group === undefined || message.seq <= group.lastSeq) return false;
    group.lastSeq = message.seq;
    this.screen.print(renderChat(message, { self: this.self, width: this.screen.columns }));
    return true;
  }

  /** Shows a `joined` reply: the group, who is in it, and its messages not shown yet; returns how many were shown. */
  private showJoined(joined: JoinedReply, resumed: boolean): number {
    const same = this.inCurrentGroup(joined.group);
    if (!resumed || !same) this.group = { name: joined.group, lastSeq: 0, oldestSeq: joined.history[0]?.seq ?? joined.last_seq + 1 };
    this.users.clear();
    this.noteUsers(joined.members);
    this.groups.add(sanitizeLine(joined.group));
    const online = joined.members.map(sanitizeLine).join(', ');
    if (!resumed) this.screen.print(renderStatus(`joined ${sanitizeLine(joined.group)} — ${joined.members.length} online: ${online}`));
    if (!resumed && joined.more) this.screen.print(renderNotice('(earlier messages: /history)'));
    const shown = joined.history.filter((message) => this.show(message)).length;
    // With `more`, later messages are still to come (the next page of a resume): the seq shown stays the cursor.
    if (this.group && !joined.more) this.group.lastSeq = Math.max(this.group.lastSeq, joined.last_seq);
    this.screen.setPrompt(this.prompt());
    return shown;
  }

  /**
   * Rejoins after a reconnect with `since` = the last seq shown, page after
   * page until nothing more is missed; live messages arriving meanwhile are
   * held and shown after, so each message appears once and in order.
   */
  private async resume(client: ProtocolClient, group: GroupView): Promise<void> {
    this.heldLive = [];
    let missed = 0;
    try {
      for (let more = true; more;) {
        // `group` stays the current group's view: its lastSeq is the seq shown last.
        const joined = await client.call({ type: 'join', group: group.name, since: group.lastSeq }, 'joined');
        missed += this.showJoined(joined, true);
        more = joined.more && joined.history.length > 0;
      }
      if (missed > 0) this.screen.print(renderNotice(`(${missed} message${missed === 1 ? '' : 's'} while you were away)`));
    } finally {
      const held = this.heldLive;
      this.heldLive = undefined;
      for (const message of held) this.showLive(message);
    }
  }

  private async handle(command: Command): Promise<void> {
    try {
      await this.run(command);
    } catch (error) {
      const unsent = command.kind === 'say' || command.kind === 'msg' ? ` — not sent: ${sanitizeLine(command.text).slice(0, 60)}` : '';
      if (error instanceof ProtocolError) this.screen.print(renderError(error.code, error.code === 'frame_too_large' || error.code === 'limit_reached' ? error.message : undefined) + kleur.red(unsent));
      else this.screen.print(kleur.red(`! ${sanitizeLine(errorMessage(error))}${unsent}`));
    }
  }

  private async run(command: Command): Promise<void> {
    const client = this.client;
    switch (command.kind) {
      case 'empty': return;
      case 'help': this.screen.print(HELP_TEXT); return;
      case 'usage': this.screen.print(kleur.yellow(command.usage)); return;
      case 'unsendable': this.screen.print(kleur.red(`! ${command.problem}`)); return;
      case 'unknown': this.screen.print(kleur.yellow(`unknown command /${sanitizeLine(command.name)}: /help lists them`)); return;
      case 'quit': await this.quit(); return;
      case 'say': {
        if (this.group === undefined) {
          this.screen.print(kleur.yellow('not in a group: /join GROUP first'));
          return;
        }
        const group = this.group.name;
        const ack = await client.call({ type: 'say', text: command.text }, 'ack');
        this.show({ group, seq: ack.seq ?? 0, from: this.self, text: command.text, ts: ack.ts });
        return;
      }
      case 'msg': {
        const ack = await client.call({ type: 'dm', to: command.to, text: command.text }, 'ack');
        this.screen.print(renderDirect({ from: this.self, to: command.to, text: command.text, ts: ack.ts }, { self: this.self, width: this.screen.columns }));
        return;
      }
      case 'groups': {
        this.screen.print(renderGroupTable(await this.refreshGroups()));
        return;
      }
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
        this.users.clear();
        this.screen.print(renderStatus(`left ${sanitizeLine(reply.group)}`));
        this.screen.setPrompt(this.prompt());
        return;
      }
      case 'who': {
        const reply = await client.call({ type: 'who' }, 'members');
        this.users.clear();
        this.noteUsers(reply.members);
        this.screen.print(renderStatus(`${reply.members.length} in ${sanitizeLine(reply.group)}: ${reply.members.map(sanitizeLine).join(', ')}`));
        return;
      }
      case 'history': {
        const group = this.group;
        if (group === undefined) {
          this.screen.print(kleur.yellow('not in a group'));
          return;
        }
        const reply = await client.call({ type: 'history', before: group.oldestSeq, limit: command.count }, 'history');
        if (reply.messages.length === 0) {
          this.screen.print(renderNotice('(no earlier messages)'));
          return;
        }
        this.screen.print(renderNotice(`── ${reply.messages.length} earlier message${reply.messages.length === 1 ? '' : 's'} ──`));
        for (const message of reply.messages) this.screen.print(renderChat(message, { self: this.self, width: this.screen.columns }));
        this.screen.print(renderNotice(`── end of earlier messages${reply.more ? ' (more: /history again)' : ''} ──`));
        group.oldestSeq = reply.messages[0]!.seq;
        return;
      }
    }
  }

  /** Reconnects with backoff, signs in again, and rejoins where it left off. */
  private async recover(error: Error | undefined): Promise<void> {
    this.screen.print(renderStatus(`connection lost${error ? ` (${sanitizeLine(error.message)})` : ''}; reconnecting…`));
    let delay = backoffDelay(0);
    for (let attempt = 1; !this.quitting; attempt++) {
      await sleep(delay);
      if (this.quitting) return;
      try {
        const client = await this.reconnect();
        this.client = client;
        this.attach(client);
        const group = this.group;
        if (group) await this.resume(client, group);
        this.screen.print(renderStatus('reconnected'));
        return;
      } catch (failure) {
        if (failure instanceof CertificateError || (failure instanceof ProtocolError && failure.code === 'auth_failed')) {
          this.screen.print(kleur.red(`! ${sanitizeLine(failure.message)}; giving up`));
          await this.quit(1);
          return;
        }
        delay = backoffDelay(attempt);
        this.screen.print(renderStatus(`reconnect failed: ${sanitizeLine(errorMessage(failure))}; next try in ${(delay / 1000).toFixed(1)} s`));
      }
    }
  }

  async quit(code = 0): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    this.screen.close();
    await this.client.bye();
    this.done(code);
  }
}

/** What a `shutdown` says, without saying "shutting down" twice. */
function shutdownNotice(reason: string): string {
  return /shut(ting)? down/i.test(reason) || reason === '' ? 'the server is shutting down' : `the server is shutting down: ${reason}`;
}
