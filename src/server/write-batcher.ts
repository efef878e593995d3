/**
 * Coalesces writes: the first frame written to a connection in an event-loop
 * turn corks its socket, and one callback per turn uncorks every socket
 * written to, so all frames a connection gets in a turn leave in one TLS
 * write. After the flush, each connection is told, so that it can judge what
 * the kernel would not take (its real backlog).
 */
import type { Writable } from 'node:stream';

export interface BatchedOutput {
  readonly socket: Writable;
  /** Called once per turn, after the socket was uncorked. */
  flushed(): void;
}

export class WriteBatcher {
  private corked: BatchedOutput[] = [];
  private scheduled = false;
  private readonly flush = (): void => {
    const outputs = this.corked;
    this.corked = [];
    this.scheduled = false;
    for (const output of outputs) output.socket.uncork();
    for (const output of outputs) output.flushed();
  };

  write(output: BatchedOutput, frame: Buffer): void {
    const { socket } = output;
    if (socket.writableCorked === 0) {
      socket.cork();
      this.corked.push(output);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    }
    socket.write(frame);
  }
}
