/**
 * Bounds how many tasks run at once. Waiters queue per key (a client address)
 * and a freed slot goes to the keys in turn, not to the oldest waiter: a key
 * that queued a thousand tasks delays another key's task by at most one of its
 * own. The queue is bounded in all and per key, and a waiter whose signal is
 * aborted (its connection closed) leaves the queue at once.
 */
export type Release = () => void;

export interface AcquireOptions {
  /** Whose task this is; tasks of different keys are served in turn. */
  key?: string;
  /** Aborting it while the task waits drops the task (the promise rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Tasks of this key waiting at most; beyond that, tryAcquire gives undefined. */
  maxQueuedForKey?: number | undefined;
}

interface Waiter {
  start: () => void;
}

export class Semaphore {
  private running = 0;
  private waiting = 0;
  /** Each key's waiters, oldest first. Map order is the turn order: a key just served goes to the back. */
  private readonly queues = new Map<string, Waiter[]>();
  /** Most tasks that ran at once. */
  peak = 0;

  constructor(private readonly limit: number, private readonly maxQueued: number) {}

  /** Tasks waiting for a slot now (for tests). */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Resolves with a release function once a slot is free; undefined when the
   * queue (or this key's share of it) is full.
   */
  tryAcquire(options: AcquireOptions = {}): Promise<Release> | undefined {
    const { key = '', signal, maxQueuedForKey = Number.POSITIVE_INFINITY } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.running < this.limit) return Promise.resolve(this.take());
    const queue = this.queues.get(key);
    if (this.waiting >= this.maxQueued || (queue?.length ?? 0) >= maxQueuedForKey) return undefined;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.remove(key, waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.take());
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (queue === undefined) this.queues.set(key, [waiter]);
      else queue.push(waiter);
      this.waiting += 1;
    });
  }

  private take(): Release {
    this.running += 1;
    this.peak = Math.max(this.peak, this.running);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      this.startNext();
    };
  }

  /** Hands the free slot to the first waiter of the key whose turn it is. */
  private startNext(): void {
    const next = this.queues.entries().next();
    if (next.done === true) return;
    const [key, queue] = next.value;
    const waiter = queue.shift();
    this.queues.delete(key);
    if (queue.length > 0) this.queues.set(key, queue);
    if (waiter === undefined) return;
    this.waiting -= 1;
    waiter.start();
  }

  private remove(key: string, waiter: Waiter): void {
    const queue = this.queues.get(key);
    const index = queue?.indexOf(waiter) ?? -1;
    if (queue === undefined || index < 0) return;
    queue.splice(index, 1);
    this.waiting -= 1;
    if (queue.length === 0) this.queues.delete(key);
  }
}
