/**
 * Resuming a group after a reconnect: rejoin with `since` = the last seq
 * shown, page after page until the server says there is no `more`. Live
 * messages that arrive meanwhile are held and handed on after the last page,
 * in the order they came, so that (with a view that shows each seq once)
 * every message appears once and in order. Knows nothing of sockets or the
 * terminal: the steps are given.
 */
import type { JoinedReply, StoredMessage } from '../../protocol/messages.js';

/** What a resume does, supplied by the chat screen. */
export interface ResumeSteps {
  /** The highest seq shown so far: the next page's `since`. */
  lastShownSeq(): number;
  /** Sends `join` with `since` and resolves with the reply. */
  requestPage(since: number): Promise<JoinedReply>;
  /** Shows a page; returns how many of its messages had not been shown. */
  showPage(page: JoinedReply): number;
  /** After the last page, when messages were missed: how many. */
  reportMissed(count: number): void;
  /** Before the held live messages are handed on, also after a failure (a view that collected pages shows them here). */
  beforeLive?(): void;
  /** A live message held during the resume, handed on after it (also when it failed). */
  showLive(message: StoredMessage): void;
}

export class GroupResume {
  private held: StoredMessage[] | undefined;

  /** Whether a resume is paging now. */
  get running(): boolean {
    return this.held !== undefined;
  }

  /** Holds a live message while a resume runs; false (not held) otherwise. */
  hold(message: StoredMessage): boolean {
    if (this.held === undefined) return false;
    this.held.push(message);
    return true;
  }

  /** Pages through what was missed; rejects with the first failed request (the held messages are handed on still). */
  async run(steps: ResumeSteps): Promise<void> {
    if (this.held !== undefined) throw new Error('a resume is already running');
    this.held = [];
    let missed = 0;
    try {
      for (let more = true; more;) {
        const page = await steps.requestPage(steps.lastShownSeq());
        missed += steps.showPage(page);
        // An empty page with `more` would ask for the same page again: stop instead.
        more = page.more && page.history.length > 0;
      }
      if (missed > 0) steps.reportMissed(missed);
    } finally {
      const held = this.held;
      this.held = undefined;
      steps.beforeLive?.();
      for (const message of held) steps.showLive(message);
    }
  }
}

/**
 * The messages of a resume's pages not shown yet, collected so that the line
 * saying how many were missed can come before them. `lastSeq` is the cursor:
 * the next page's `since`.
 */
export class MissedMessages {
  readonly messages: StoredMessage[] = [];

  constructor(private cursor: number) {}

  get lastSeq(): number {
    return this.cursor;
  }

  /** Takes a page; returns how many of its messages are new. */
  take(page: JoinedReply): number {
    const fresh = page.history.filter((message) => message.seq > this.cursor);
    this.messages.push(...fresh);
    for (const message of fresh) this.cursor = Math.max(this.cursor, message.seq);
    // With `more`, later messages are still to come: the seq taken stays the cursor.
    if (!page.more) this.cursor = Math.max(this.cursor, page.last_seq);
    return fresh.length;
  }
}
