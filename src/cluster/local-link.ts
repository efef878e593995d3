/**
 * The cluster link of a node alone: nothing to share, nothing comes in. Its
 * "cluster-wide" answers are this node's own tables; stored messages are
 * delivered by the hub as their sender stores them.
 */
import type { ClusterLink, LocalNode } from './link.js';

export class LocalLink implements ClusterLink {
  readonly nodeId = 'local';
  readonly sharesStoredMessages = false;
  private node: LocalNode | undefined;

  async start(node: LocalNode): Promise<void> {
    this.node = node;
  }

  publishPresence(): void {
    // no other node to tell
  }

  publishDirect(): void {
    // no other node to tell
  }

  publishAccountClosed(): void {
    // no other node to tell
  }

  publishGroupEvent(): void {
    // no other node to tell
  }

  publishNotice(): void {
    // no other node to tell
  }

  publishAccountMessage(): void {
    // no other node to tell
  }

  trackMember(): void {
    // the hub's own tables are the whole truth
  }

  async members(group: string): Promise<string[]> {
    return this.node?.membersHere(group) ?? [];
  }

  async memberPage(group: string, after: string | undefined, limit: number): Promise<string[]> {
    return this.node?.memberPageHere(group, after, limit) ?? [];
  }

  async memberCounts(groups: string[]): Promise<number[]> {
    return this.node?.memberCountsHere(groups) ?? groups.map(() => 0);
  }

  async close(): Promise<void> {
    this.node = undefined;
  }
}
