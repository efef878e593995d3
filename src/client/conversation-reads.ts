/**
 * The read markers of conversations (January: `mark_read` with `user`): as a
 * conversation window shows messages (a live one, a `/query` page, a switch
 * to it), its marker moves up to the last seq shown, at most once per
 * interval (the groups' ReadMarks, model/unread.ts), and at once on exit, so
 * the server's `conversations` unread count drops.
 */
import { ProtocolError } from '../protocol/errors.js';
import { markConversationRead, type OkCaller } from './model/requests.js';
import { ReadMarks } from './model/unread.js';

export class ConversationReads {
  private readonly marks: ReadMarks;
  /** False once the server refused `mark_read` with `user` (a server older than conversations). */
  private known = true;

  constructor(private readonly caller: OkCaller, intervalMs?: number) {
    this.marks = new ReadMarks((user, seq) => this.send(user, seq), intervalMs);
  }

  /** The conversation with `user` was shown up to `seq`. */
  shown(user: string, seq: number): void {
    if (this.known) this.marks.shown(user, seq);
  }

  /** Sends the pending marker now (before exit). */
  flush(): void {
    this.marks.flush();
  }

  private send(user: string, seq: number): void {
    markConversationRead(this.caller, user, seq).catch((error: unknown) => {
      // A marker not moved is harmless (the count stays high); only a server that does not know the field stops them.
      if (error instanceof ProtocolError && error.code === 'bad_message') this.known = false;
    });
  }
}
