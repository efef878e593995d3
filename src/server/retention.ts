/**
 * Retention in the background (`--retention-days`, `--retention-messages`):
 * a pass shortly after start and then every interval, over every group and
 * then every conversation (direct messages, January additions), in
 * small batches (RetentionStore.pruneMessages), yielding the event loop between
 * batches so that requests keep being served while a large history goes.
 * Each pass that deleted anything logs `retention pruned` (info); every pass
 * logs `retention pass` (debug). Passes never overlap on one node; nodes of a
 * cluster may run theirs at the same time (the store makes that safe).
 */
import { errorMessage } from '../protocol/errors.js';
import type { RetentionPolicy, Store } from '../store/store.js';
import type { Logger } from '../observe/logger.js';

export const DAY_MS = 86_400_000;
/**
 * Batches are sized to take about BATCH_TARGET_MS each (the size adapts
 * between these bounds), and after each the pass rests REST_FACTOR times as
 * long: a request waits behind one short batch at most, and the process stays
 * mostly idle (on a busy machine a process that keeps its CPU busy is
 * scheduled later, which raises every latency).
 */
export const BATCH_SIZES = { first: 100, min: 10, max: 1_000 } as const;
const BATCH_TARGET_MS = 1;
/** After a batch, the pass rests this many times as long as the batch took: pruning gets at most a quarter of the event loop. */
const REST_FACTOR = 3;
export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;
/** The first pass, this long after start (or after one interval when that is shorter). */
const FIRST_PASS_DELAY_MS = 1_000;

export interface RetentionSettings {
  /** 0: keep forever. */
  days: number;
  /** 0: no limit per group. */
  messages: number;
  /** Between the end of a pass and the start of the next. */
  intervalMs: number;
}

export function retentionPolicy(settings: RetentionSettings): RetentionPolicy {
  return { maxAgeMs: settings.days * DAY_MS, maxMessages: settings.messages };
}

export function retentionEnabled(settings: RetentionSettings | undefined): settings is RetentionSettings {
  return settings !== undefined && (settings.days > 0 || settings.messages > 0);
}

/** What one pass did. */
export interface PassResult {
  messages: number;
  /** Groups that lost at least one message. */
  groups: number;
  /** Direct messages deleted, and the conversations that lost at least one (January additions). */
  directMessages: number;
  conversations: number;
  batches: number;
  /** The longest batch, in ms. */
  longestBatchMs: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });
const rest = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, Math.max(1, Math.ceil(ms))); });

/** The next batch size: smaller when the last one took longer than the target, larger when much shorter. */
function nextBatchSize(size: number, tookMs: number): number {
  if (tookMs > BATCH_TARGET_MS) return Math.max(BATCH_SIZES.min, Math.floor(size / 2));
  if (tookMs < BATCH_TARGET_MS / 2) return Math.min(BATCH_SIZES.max, Math.ceil(size * 1.5));
  return size;
}

export class RetentionPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PassResult> | undefined;
  private stopped = false;
  private readonly policy: RetentionPolicy;

  constructor(
    private readonly store: Store,
    private readonly settings: RetentionSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.policy = retentionPolicy(settings);
  }

  start(): void {
    this.logger.info('retention on', { days: this.settings.days, messages: this.settings.messages, interval_s: this.settings.intervalMs / 1000 });
    this.schedule(Math.min(FIRST_PASS_DELAY_MS, this.settings.intervalMs));
  }

  /** Stops the timer and waits for a pass under way (it stops at its next batch). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every group now (or the one under way). */
  pass(): Promise<PassResult> {
    this.running ??= this.prune().finally(() => { this.running = undefined; });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass().then(
        () => this.schedule(this.settings.intervalMs),
        (error: unknown) => {
          this.logger.warn('retention pass failed; trying again at the next interval', { reason: errorMessage(error) });
          this.schedule(this.settings.intervalMs);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  private async prune(): Promise<PassResult> {
    const started = performance.now();
    const now = this.now();
    const result: PassResult = { messages: 0, groups: 0, directMessages: 0, conversations: 0, batches: 0, longestBatchMs: 0 };
    const size = { next: BATCH_SIZES.first };
    const { retention, conversations } = this.store;
    for (const group of await this.store.groups.listGroups()) {
      const deleted = await this.pruneOne(result, size, (batch) => retention.pruneMessages(group, this.policy, now, batch));
      if (deleted === undefined) return result;
      result.messages += deleted;
      if (deleted > 0) result.groups += 1;
    }
    for (const id of await conversations.conversationIds()) {
      const deleted = await this.pruneOne(result, size, (batch) => conversations.pruneConversation(id, this.policy, now, batch));
      if (deleted === undefined) return result;
      result.directMessages += deleted;
      if (deleted > 0) result.conversations += 1;
    }
    const fields = { messages: result.messages, groups: result.groups, direct_messages: result.directMessages, conversations: result.conversations, batches: result.batches,
      longest_batch_ms: Math.round(result.longestBatchMs * 10) / 10, ms: Math.round(performance.now() - started) };
    if (result.messages + result.directMessages > 0) this.logger.info('retention pruned', fields);
    this.logger.debug('retention pass', fields);
    return result;
  }

  /** One group's or conversation's batches until one deletes less than its size; undefined when stopped meanwhile. */
  private async pruneOne(result: PassResult, size: { next: number }, prune: (batch: number) => Promise<number>): Promise<number | undefined> {
    let deleted = 0;
    for (;;) {
      if (this.stopped) return undefined;
      const batchStarted = performance.now();
      const removed = await prune(size.next);
      const tookMs = performance.now() - batchStarted;
      result.batches += 1;
      result.longestBatchMs = Math.max(result.longestBatchMs, tookMs);
      deleted += removed;
      await (removed > 0 ? rest(tookMs * REST_FACTOR) : nextTurn()); // nothing to delete costs no pause
      if (removed < size.next) return deleted;
      size.next = nextBatchSize(size.next, tookMs);
    }
  }
}
