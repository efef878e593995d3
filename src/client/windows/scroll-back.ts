/**
 * One window's scroll-back in memory (docs/client-windows.md): the lines it
 * showed or will show, oldest first, at most `limit` of them (the oldest go
 * first). A message with a seq is held once: a resume, a `history` or a
 * `dm_history` page that brings a seq already here adds nothing, and one older
 * than the rest is put in its place by seq. A deleted message keeps its place
 * and its seq; its text becomes `(message deleted)`. Pure: no terminal.
 */
import { DELETED_TEXT } from '../../protocol/messages.js';

/** Lines a window keeps by default: about a day of a busy group; some 250 kB a window for lines of 100 characters (measured: docs/client-windows.md). */
export const DEFAULT_SCROLL_BACK_LINES = 1_000;

/** A message of a group or a conversation. `seq` is undefined only for a line the server never numbered. */
export interface MessageLine {
  kind: 'message';
  seq: number | undefined;
  from: string;
  text: string;
  ts: number;
  /** Set once the message was deleted: by whom. */
  deletedBy?: string;
}

/** Anything else a window shows: a presence, a topic, a kick, a status line. */
export interface EventLine {
  kind: 'event';
  text: string;
  ts: number;
}

export type ScrollLine = MessageLine | EventLine;

/** A message as it arrives (`msg`, a stored message of a page, a `dm`). */
export interface ArrivingMessage {
  seq?: number | undefined;
  from: string;
  text: string;
  ts: number;
  /** A stored message already deleted (its `deleted` field): shown as such. */
  deleted?: { by: string } | undefined;
}

export class ScrollBack {
  private readonly kept: ScrollLine[] = [];
  private readonly bySeq = new Map<number, MessageLine>();

  constructor(readonly limit = DEFAULT_SCROLL_BACK_LINES) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a scroll-back holds at least 1 line, not ${limit}`);
  }

  /** The lines, oldest first. */
  lines(): readonly ScrollLine[] {
    return this.kept;
  }

  get size(): number {
    return this.kept.length;
  }

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  /** The highest seq held: where a resume (`join` or `dm_history` with `since`) starts. */
  lastSeq(): number | undefined {
    for (let at = this.kept.length - 1; at >= 0; at--) {
      const line = this.kept[at]!;
      if (line.kind === 'message' && line.seq !== undefined) return line.seq;
    }
    return undefined;
  }

  /** The lowest seq held: where the next older page (`history` or `dm_history` with `before`) ends. */
  firstSeq(): number | undefined {
    for (const line of this.kept) if (line.kind === 'message' && line.seq !== undefined) return line.seq;
    return undefined;
  }

  /**
   * Adds a message; the line added, or undefined when it was already here (same
   * seq) or older than everything a full scroll-back keeps.
   */
  addMessage(message: ArrivingMessage): MessageLine | undefined {
    const seq = message.seq;
    if (seq !== undefined && this.bySeq.has(seq)) return undefined;
    const line: MessageLine = { kind: 'message', seq, from: message.from, text: message.text, ts: message.ts };
    if (message.deleted !== undefined) {
      line.text = DELETED_TEXT;
      line.deletedBy = message.deleted.by;
    }
    const at = seq === undefined ? this.kept.length : this.placeOf(seq);
    if (at === 0 && this.kept.length >= this.limit) return undefined;
    this.kept.splice(at, 0, line);
    if (seq !== undefined) this.bySeq.set(seq, line);
    this.trim();
    return line;
  }

  /** Adds a page of messages (oldest first, as the server sends them); the lines that were new. */
  addMessages(messages: readonly ArrivingMessage[]): MessageLine[] {
    const added: MessageLine[] = [];
    for (const message of messages) {
      const line = this.addMessage(message);
      if (line !== undefined) added.push(line);
    }
    return added;
  }

  /** Adds an event line at the end. */
  addEvent(text: string, ts: number): EventLine {
    const line: EventLine = { kind: 'event', text, ts };
    this.kept.push(line);
    this.trim();
    return line;
  }

  /**
   * `message_deleted`: the message of `seq` keeps its place, its text becomes
   * `(message deleted)`. The line changed, or undefined when it is not held
   * (never seen, or gone past the limit) or was already deleted.
   */
  markDeleted(seq: number, by: string): MessageLine | undefined {
    const line = this.bySeq.get(seq);
    if (line === undefined || line.deletedBy !== undefined) return undefined;
    line.text = DELETED_TEXT;
    line.deletedBy = by;
    return line;
  }

  /** The newest numbered message not deleted whose author passes `isAuthor`: what `/delete` without a seq deletes. */
  lastMessageBy(isAuthor: (from: string) => boolean): MessageLine | undefined {
    for (let at = this.kept.length - 1; at >= 0; at--) {
      const line = this.kept[at]!;
      if (line.kind === 'message' && line.seq !== undefined && line.deletedBy === undefined && isAuthor(line.from)) return line;
    }
    return undefined;
  }

  /**
   * Where a message of `seq` goes: the end for the usual newest one; else just
   * after the numbered line before it in seq order (so a page of older messages
   * stays together, ahead of the events that followed it), or the start when it
   * is older than every numbered line.
   */
  private placeOf(seq: number): number {
    const last = this.lastSeq();
    if (last === undefined || seq > last) return this.kept.length;
    for (let at = this.kept.length - 1; at >= 0; at--) {
      const line = this.kept[at]!;
      if (line.kind === 'message' && line.seq !== undefined && line.seq < seq) return at + 1;
    }
    return 0;
  }

  private trim(): void {
    const excess = this.kept.length - this.limit;
    if (excess <= 0) return;
    for (const line of this.kept.splice(0, excess)) if (line.kind === 'message' && line.seq !== undefined) this.bySeq.delete(line.seq);
  }
}
