/**
 * Coalesces writes: the first frame written to a socket in an event-loop turn
 * corks it, and one callback per turn uncorks every socket written to, so all
 * frames a connection gets in a turn leave in one TLS write.
 */
import type { Writable } from 'node:stream';

export class WriteBatcher {
  private corked: Writable[] = [];
  private scheduled = false;
  private readonly flush = (): void => {
    const sockets = this.corked;
    this.corked = [];
    this.scheduled = false;
    for (const socket of sockets) socket.uncork();
  };

  write(socket: Writable, frame: Buffer): void {
    if (socket.writableCorked === 0) {
      socket.cork();
      this.corked.push(socket);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    }
    socket.write(frame);
  }
}
