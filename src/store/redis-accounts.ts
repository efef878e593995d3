/**
 * Accounts in the Redis store: the users hash (name key → JSON {name, hash,
 * created}) and its parallel hashes of roles, disabled states and last logins.
 */
import type { Redis, Result } from 'ioredis';
import type { AccountRole } from '../protocol/messages.js';
import { nameKey as keyOf, type NameKey } from '../protocol/names.js';
import type { RedisGuard } from '../redis/connection.js';
import { REDIS_KEYS } from '../redis/keys.js';
import { SET_PASSWORD_SCRIPT } from './redis-scripts.js';
import type { AccountStore, Disabled, UserRecord, UserSummary } from './store.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    termsenderSetPassword(usersKey: string, resumeEpochsKey: string, userKey: NameKey, hash: string): Result<unknown, Context>;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined; // not ours: treated as absent
  }
}

/** The user hash's JSON: {name, hash, created?}; undefined when it is not that. */
export function readAccount(json: string): { name: string; hash: string; created?: number } | undefined {
  const record = parseJson(json);
  if (!isRecord(record) || typeof record['name'] !== 'string' || typeof record['hash'] !== 'string') return undefined;
  const created = record['created'];
  return { name: record['name'], hash: record['hash'], ...(typeof created === 'number' ? { created } : {}) };
}

/** Role and disabled state from their parallel hashes' entries. */
function accountState(role: string | null, disabled: string | null): { role: AccountRole; disabled?: Disabled } {
  const state = disabled === null ? undefined : parseJson(disabled);
  const reason = isRecord(state) && typeof state['reason'] === 'string' ? state['reason'] : '';
  const at = isRecord(state) && typeof state['at'] === 'number' ? state['at'] : 0;
  return { role: role === 'admin' ? 'admin' : 'user', ...(disabled === null ? {} : { disabled: { reason, at } }) };
}

export class RedisAccounts implements AccountStore {
  constructor(private readonly redis: Redis, private readonly guard: RedisGuard) {
    redis.defineCommand('termsenderSetPassword', { numberOfKeys: 2, lua: SET_PASSWORD_SCRIPT });
  }

  async createUser(name: string, passwordHash: string): Promise<UserRecord | undefined> {
    const record = JSON.stringify({ name, hash: passwordHash, created: Date.now() });
    const created = await this.guard(() => this.redis.hsetnx(REDIS_KEYS.users, keyOf(name), record));
    return created === 1 ? { name, passwordHash, role: 'user' } : undefined;
  }

  async findUser(name: string): Promise<UserRecord | undefined> {
    const key = keyOf(name);
    const [json, role, disabled] = await this.guard(() => Promise.all([
      this.redis.hget(REDIS_KEYS.users, key), this.redis.hget(REDIS_KEYS.userRoles, key), this.redis.hget(REDIS_KEYS.userDisabled, key),
    ]));
    const account = json === null ? undefined : readAccount(json);
    if (account === undefined) return undefined;
    return { name: account.name, passwordHash: account.hash, ...accountState(role, disabled) };
  }

  async listUsers(): Promise<UserSummary[]> {
    const [users, roles, disabled, logins] = await this.guard(() => Promise.all([
      this.redis.hgetall(REDIS_KEYS.users), this.redis.hgetall(REDIS_KEYS.userRoles),
      this.redis.hgetall(REDIS_KEYS.userDisabled), this.redis.hgetall(REDIS_KEYS.userLogins),
    ]));
    const summaries: UserSummary[] = [];
    for (const key of Object.keys(users).sort()) {
      const account = readAccount(users[key] ?? '');
      if (account === undefined) continue;
      const lastLogin = Number(logins[key] ?? Number.NaN);
      summaries.push({
        name: account.name, ...accountState(roles[key] ?? null, disabled[key] ?? null),
        ...(account.created === undefined ? {} : { createdAt: account.created }),
        ...(Number.isSafeInteger(lastLogin) ? { lastLogin } : {}),
      });
    }
    return summaries;
  }

  /** Also ends the account's resume tokens, in the same atomic step (a password set never leaves old tokens working). */
  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    return Number(await this.guard(() => this.redis.termsenderSetPassword(REDIS_KEYS.users, REDIS_KEYS.resumeEpochs, keyOf(name), passwordHash))) === 1;
  }

  /** `userRoles` holds the admins only (a user's entry is removed). */
  async adminsAmong(names: readonly string[]): Promise<Set<NameKey>> {
    if (names.length === 0) return new Set();
    const keys = names.map(keyOf);
    const roles = await this.guard(() => this.redis.hmget(REDIS_KEYS.userRoles, ...keys));
    return new Set(keys.filter((_, i) => roles[i] === 'admin'));
  }

  /** Bumps the store's change mark with the role, so that every node checks its private groups' members (store-changes.ts). */
  async setRole(name: string, role: AccountRole): Promise<boolean> {
    return this.ifUser(name, (key) => {
      const change = this.redis.multi();
      (role === 'admin' ? change.hset(REDIS_KEYS.userRoles, key, role) : change.hdel(REDIS_KEYS.userRoles, key)).incr(REDIS_KEYS.adminChanges);
      return change.exec();
    });
  }

  /** Disabling also ends the account's resume tokens (in the same transaction). */
  async setDisabled(name: string, disabled: Disabled | undefined): Promise<boolean> {
    return this.ifUser(name, (key) => (disabled === undefined
      ? this.redis.hdel(REDIS_KEYS.userDisabled, key)
      : this.redis.multi().hset(REDIS_KEYS.userDisabled, key, JSON.stringify(disabled)).hincrby(REDIS_KEYS.resumeEpochs, key, 1).exec()));
  }

  async recordLogin(name: string, at: number): Promise<void> {
    await this.guard(() => this.redis.hset(REDIS_KEYS.userLogins, keyOf(name), String(at)));
  }

  /** Runs `change` when the account exists (accounts are never deleted, so nothing removes it in between). */
  private async ifUser(name: string, change: (key: string) => Promise<unknown>): Promise<boolean> {
    const key = keyOf(name);
    if ((await this.guard(() => this.redis.hexists(REDIS_KEYS.users, key))) !== 1) return false;
    await this.guard(() => change(key));
    return true;
  }
}
