/**
 * What the chat screen knows besides the messages (protocol.md, December
 * additions): the user's roles (for /help and Tab), the current group's
 * topic, the unread counts of the other groups (for the prompt and /next),
 * and the read marker of what was shown (`mark_read`). The chat screen
 * (chat.ts, shown-group.ts, command-runner.ts) feeds it.
 */
import { ProtocolError } from '../protocol/errors.js';
import type { AccountRole, ActivityMessage, GroupRole, GroupSummary, JoinedReply, RoleMessage, TopicMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import { commandNames } from './completion.js';
import type { Roles } from './help.js';
import { markRead, type OkCaller } from './model/requests.js';
import { renderAccountRole, renderRoleChange, renderTopic } from './render-moderation.js';
import { renderStatusPrompt } from './status-line.js';
import { GroupStandings } from './group-standings.js';
import { type NextGroup, ReadMarks, UnreadTracker } from './model/unread.js';

export interface ChatOptions {
  /** The account's role, from `auth_ok` (for /help and Tab). */
  role?: AccountRole | undefined;
  /** The smallest interval between two `mark_read` (unread.ts's default). */
  markReadIntervalMs?: number;
}

export interface GroupStatusHost {
  /** Sends on the current connection. */
  call: OkCaller['call'];
  print(text: string): void;
  /** The prompt changed (unread counts, the group). */
  promptChanged(): void;
}

export class GroupStatus {
  private groupRole: GroupRole | undefined;
  private topic: string | undefined;
  private group: string | undefined;
  private readonly unread = new UnreadTracker();
  private readonly marks: ReadMarks;
  /** The role and topic of each group the client is in: the current group's follow when another becomes current. */
  private readonly standings = new GroupStandings();
  /** False once the server refused `mark_read` as unknown (a server older than read markers). */
  private markReadKnown = true;

  private accountRole: AccountRole | undefined;

  constructor(private readonly host: GroupStatusHost, private readonly self: string, options: ChatOptions) {
    this.accountRole = options.role;
    this.marks = new ReadMarks((group, seq) => this.markRead(group, seq), options.markReadIntervalMs);
  }

  get roles(): Roles {
    return { account: this.accountRole, group: this.groupRole };
  }

  get currentTopic(): string | undefined {
    return this.topic;
  }

  /** A `joined` (not a resumed page): the role in the group, its topic (shown), nothing unread in it. */
  joined(joined: JoinedReply): void {
    this.group = joined.group;
    const owner = joined.owner !== undefined && joined.owner !== null && nameKey(joined.owner) === nameKey(this.self);
    this.groupRole = joined.role ?? (owner ? 'owner' : 'member');
    this.topic = joined.topic;
    this.standings.joined({ group: joined.group, role: this.groupRole, topic: joined.topic });
    if (joined.topic !== undefined && joined.topic !== '') this.host.print(renderTopic(joined.group, joined.topic));
    this.unread.read(joined.group, joined.last_seq);
  }

  /**
   * The account's role as the server says it now (`auth_ok` of a reconnect, or
   * `account_role`): /help and Tab follow at once; a change is said.
   */
  accountRoleIs(role: AccountRole | undefined): void {
    if (role === undefined || role === this.accountRole) return;
    const before = this.accountRole;
    this.accountRole = role;
    if (before !== undefined || role === 'admin') this.host.print(renderAccountRole(role));
  }

  /** A `role` from the server: said; the user's own role in the current group follows (for /help and Tab). */
  roleMessage(message: RoleMessage): void {
    const mine = nameKey(message.user) === nameKey(this.self);
    // Another group the client is in: kept for when it becomes current.
    if (mine) this.standings.roleIs(message.group, message.role);
    if (this.group === undefined || nameKey(message.group) !== nameKey(this.group)) return;
    if (mine && this.groupRole !== 'owner') this.groupRole = message.role;
    this.host.print(renderRoleChange(message, mine));
  }

  /**
   * Out of `group` (left, kicked, deleted): what was shown is marked read now.
   * When it was the current group, `next` (the server's current group now,
   * if any) is: its role and topic as last said become the current ones.
   */
  left(group: string | undefined, next: string | undefined): void {
    this.marks.flush();
    if (group !== undefined) this.standings.forget(group);
    if (group !== undefined && this.group !== undefined && nameKey(group) !== nameKey(this.group)) return;
    const standing = next === undefined ? undefined : this.standings.get(next);
    this.group = standing?.group;
    this.groupRole = standing?.role;
    this.topic = standing?.topic;
  }

  /** A message of `group` up to `seq` was shown. */
  shown(group: string, seq: number): void {
    this.unread.read(group, seq);
    this.marks.shown(group, seq);
  }

  /** Sends the pending read marker now (before exit). */
  flush(): void {
    this.marks.flush();
  }

  /** The server's group list: unread counts. */
  listed(groups: readonly GroupSummary[], more: boolean): void {
    this.unread.fromList(groups, !more);
    if (this.group !== undefined) this.unread.read(this.group, this.unread.get(this.group)?.lastSeq ?? 0);
    this.host.promptChanged();
  }

  activity(report: ActivityMessage): void {
    if (this.group !== undefined && nameKey(report.group) === nameKey(this.group)) return;
    if (this.unread.activity(report)) this.host.promptChanged();
  }

  /** A group that is gone. */
  forget(group: string): void {
    this.unread.forget(group);
    this.host.promptChanged();
  }

  /** A `topic` from the server, for the current group. */
  topicMessage(message: TopicMessage): void {
    this.standings.topicIs(message.group, message.topic);
    if (this.group === undefined || nameKey(message.group) !== nameKey(this.group)) return;
    this.topicChanged(message.topic, message.by);
  }

  /** The topic changed (said by the server, or set by this user): shown once. */
  topicChanged(topic: string, by: string): void {
    if (topic === (this.topic ?? '')) return;
    this.topic = topic;
    if (this.group !== undefined) this.standings.topicIs(this.group, topic);
    if (this.group !== undefined) this.host.print(renderTopic(this.group, topic, by));
  }

  next(): NextGroup | undefined {
    return this.unread.next(this.group);
  }

  /** The prompt for the window named `group`; `open`: whether a group has a window (its count is the hotlist's, not listed here). */
  prompt(group: string | undefined, open: (group: string) => boolean = () => false): string {
    return renderStatusPrompt(group, this.unread.others(group).filter((other) => !open(other.name)));
  }

  commands(): readonly string[] {
    return commandNames(this.roles);
  }

  private markRead(group: string, seq: number): void {
    if (!this.markReadKnown) return;
    markRead(this.host, group, seq).catch((error: unknown) => {
      // A marker not moved is harmless (the counts stay high); only a server without read markers stops them.
      if (error instanceof ProtocolError && error.code === 'bad_message') this.markReadKnown = false;
    });
  }
}
