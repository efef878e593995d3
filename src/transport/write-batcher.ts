/**
 * Gathers writes: the frames a connection gets in one event-loop turn are
 * kept here, and one callback per turn writes each connection's frames as
 * one buffer with one `socket.write` (one write request, one TLS write),
 * instead of a write per frame through a corked socket. Members of a group
 * mostly get the same frames in the same order in a turn; a connection whose
 * list is the same as one just written shares that buffer, so a turn's
 * fan-out is assembled once, not once per member. After the flush, each
 * connection is told, so that it can judge what the kernel would not take
 * (its real backlog).
 */
export interface BatchedOutput {
  /** Takes a turn's frames of this output as one buffer (dropped once the output is closed). */
  deliver(bytes: Buffer): void;
  /** Called once per turn, after its frames were handed to the socket. */
  flushed(): void;
  /**
   * The batcher's slot on the output: the frames waiting for this turn's
   * flush (undefined when none). Only the batcher writes it.
   */
  pendingFrames?: Buffer[] | undefined;
  /** Bytes in pendingFrames. */
  pendingBytes?: number;
}

/** How many recently assembled buffers a flush looks among for one to share. */
const SHARED_RECENT = 4;

function sameFrames(a: Buffer[], b: Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class WriteBatcher {
  private waiting: BatchedOutput[] = [];
  private scheduled = false;
  private readonly flush = (): void => {
    const outputs = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    const recentFrames: Buffer[][] = [];
    const recentJoined: Buffer[] = [];
    for (const output of outputs) {
      const frames = output.pendingFrames;
      const bytes = output.pendingBytes ?? 0;
      output.pendingFrames = undefined;
      output.pendingBytes = 0;
      if (frames === undefined) continue; // written already (flushNow) or discarded
      if (frames.length === 1) {
        output.deliver(frames[0]!);
        continue;
      }
      let joined: Buffer | undefined;
      for (let i = 0; i < recentFrames.length; i++) {
        if (sameFrames(recentFrames[i]!, frames)) {
          joined = recentJoined[i]!;
          break;
        }
      }
      if (joined === undefined) {
        joined = Buffer.concat(frames, bytes);
        if (recentFrames.length === SHARED_RECENT) {
          recentFrames.shift();
          recentJoined.shift();
        }
        recentFrames.push(frames);
        recentJoined.push(joined);
      }
      output.deliver(joined);
    }
    for (const output of outputs) output.flushed();
  };

  write(output: BatchedOutput, frame: Buffer): void {
    const frames = output.pendingFrames;
    if (frames !== undefined) {
      frames.push(frame);
      output.pendingBytes! += frame.length;
      return;
    }
    output.pendingFrames = [frame];
    output.pendingBytes = frame.length;
    this.waiting.push(output);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Bytes waiting for this turn's flush on `output`. */
  pending(output: BatchedOutput): number {
    return output.pendingBytes ?? 0;
  }

  /** Writes `output`'s waiting frames now, in order (before the socket is ended). */
  flushNow(output: BatchedOutput): void {
    const frames = output.pendingFrames;
    if (frames === undefined) return;
    output.pendingFrames = undefined;
    output.pendingBytes = 0;
    output.deliver(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  /** Drops `output`'s waiting frames (a slow consumer's backlog); returns their size in bytes. */
  discard(output: BatchedOutput): number {
    const bytes = output.pendingBytes ?? 0;
    output.pendingFrames = undefined;
    output.pendingBytes = 0;
    return bytes;
  }
}
