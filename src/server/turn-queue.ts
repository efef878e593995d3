/**
 * Server-wide pacing of the requests that read much (`join`, `history`,
 * `who`, `list_groups`): at most `perTurn` of them start in one turn of the
 * event loop; the others wait for later turns, in arrival order. A crowd that
 * asks at once (a join storm, every client rejoining after a restart) then
 * costs the others a few requests' time, not the whole crowd's: between two
 * batches the event loop reads and answers every other connection (a `ping`,
 * a `say`). Per process, as the event loop is.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Requests that read much started per event-loop turn: about 10 ms of joins in a group of thousands, on a loaded 2-core machine. */
export const QUERIES_PER_TURN = 8;

export class TurnQueue {
  private startedThisTurn = 0;
  private readonly waiting: Array<() => void> = [];
  private pumping = false;

  constructor(private readonly perTurn: number = QUERIES_PER_TURN) {}

  /** Requests waiting for a later turn now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves when the caller may start: in this turn while it has room and nobody waits, else in a later one. */
  async take(): Promise<void> {
    this.schedule();
    if (this.waiting.length === 0 && this.startedThisTurn < this.perTurn) {
      this.startedThisTurn += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Once per turn while there is work: a new turn's room, given to those waiting first. */
  private schedule(): void {
    if (this.pumping) return;
    this.pumping = true;
    void nextTurn().then(() => {
      this.pumping = false;
      this.startedThisTurn = 0;
      while (this.waiting.length > 0 && this.startedThisTurn < this.perTurn) {
        this.startedThisTurn += 1;
        this.waiting.shift()!();
      }
      if (this.waiting.length > 0) this.schedule();
    });
  }
}

/** The one queue of this process. */
export const queryTurns = new TurnQueue();
