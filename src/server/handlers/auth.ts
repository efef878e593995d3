/** AUTH: `register` and `login`. */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, ProtocolError } from '../../protocol/errors.js';
import type { LoginRequest, RegisterRequest } from '../../protocol/messages.js';
import { isValidName } from '../../protocol/names.js';
import type { UserRecord } from '../../store/store.js';
import type { Handler, RequestSource, ServerContext } from '../context.js';
import { HashQueueFullError, type HashRequester } from '../passwords.js';
import type { AuthSession } from '../session.js';

export const register: Handler<RegisterRequest, AuthSession> = async (request, _session, context, source) => {
  if (context.config.registration === 'closed') {
    throw new ProtocolError('registration_closed', 'registration is closed on this server');
  }
  if ((await context.store.accounts.findUser(request.user)) !== undefined) {
    throw new ProtocolError('user_exists', `user '${request.user}' exists`);
  }
  const refund = context.addresses.takeRegistration(source.peer);
  if (refund === undefined) {
    const { registerRate, registerWindowMs } = context.config.limits;
    throw new ProtocolError('rate_limited', `too many accounts created from your address (at most ${registerRate} per ${registerWindowMs / 60_000} minutes); try again later`);
  }
  let created: UserRecord | undefined;
  try {
    const hash = await hashing(context.hasher.hash(request.password, hashRequester(source, context)));
    created = await context.store.accounts.createUser(request.user, hash);
  } finally {
    if (created === undefined) refund();
  }
  if (created === undefined) throw new ProtocolError('user_exists', `user '${request.user}' exists`);
  await rememberLogin(created.name, context); // registering signs in
  context.logger.info('user registered', { user: created.name });
  return { state: { kind: 'group_select', user: created.name }, reply: { type: 'auth_ok', user: created.name, role: created.role } };
};

/** The hashing queue's view of the request: served in turn with other addresses, dropped when its connection closes. */
export function hashRequester(source: RequestSource, context: ServerContext): HashRequester {
  const maxQueuedForKey = source.peer.exempt ? undefined : context.config.limits.maxHashesQueuedPerIp;
  return { key: source.peer.key, signal: source.signal, maxQueuedForKey, ...(source.hashWaits === undefined ? {} : { waits: source.hashWaits }) };
}

/** A full hashing queue is a passing condition, not a wrong password: say so. */
export async function hashing<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof HashQueueFullError) throw new ProtocolError('unavailable', 'the server is busy checking passwords; try again', { cause: error });
    throw error;
  }
}

/** Best effort: a store that cannot write now (disk full) must not stop a correct login. */
async function rememberLogin(user: string, context: ServerContext): Promise<void> {
  try {
    await context.store.accounts.recordLogin(user, Date.now());
  } catch (error) {
    context.logger.warn('could not record the login time', { user, reason: errorMessage(error) });
  }
}

/** The text of `account_disabled`: by which admin (when known here), and the reason when one was given. */
export function disabledMessage(reason: string, by?: string): string {
  const said = by === undefined ? 'this account is disabled' : `this account is disabled by ${by}`;
  return reason === '' ? said : `${said}: ${reason}`;
}

export const login: Handler<LoginRequest, AuthSession> = async (request, _session, context, source) => {
  source.passwordFailures.checkAttempt();
  // A malformed name cannot name an account: it is checked against the dummy hash like an unknown
  // one (same answer, same time), but the throttle never sees it (64 KB names must not be stored).
  const validName = isValidName(request.user);
  const wait = validName ? context.throttle.delayFor(request.user) : 0;
  if (wait > 0) await sleep(wait, undefined, { signal: source.signal });
  const user = validName ? await context.store.accounts.findUser(request.user) : undefined;
  // An unknown user is verified against a dummy hash: same answer, same time.
  const valid = await hashing(context.hasher.verify(request.password, user?.passwordHash, hashRequester(source, context)));
  if (user === undefined || !valid) {
    if (validName) context.throttle.recordFailure(request.user);
    source.passwordFailures.record();
    const failed = { user: request.user.slice(0, 64), failures: source.passwordFailures.failures };
    // A name with no account may be a password typed in the wrong field: kept out of info logs.
    if (user === undefined) context.logger.debug('login failed: no such account', failed);
    else context.logger.info('login failed', failed);
    return { reply: { type: 'error', code: 'auth_failed', message: 'wrong user name or password' } };
  }
  context.throttle.recordSuccess(request.user);
  // From here an account closed (disabled) meanwhile, on any node, revokes this sign-in.
  const signIn = context.hub.holdSignIn(source.member, user.name, source.signal);
  try {
    const current = await accountAfterHash(user, context);
    await rememberLogin(current.name, context);
    if (signIn.revoked !== undefined) throw new ProtocolError('account_disabled', signIn.revoked);
    context.logger.info('login', { user: current.name, role: current.role });
    return { state: { kind: 'group_select', user: current.name }, reply: { type: 'auth_ok', user: current.name, role: current.role } };
  } catch (error) {
    signIn.release();
    throw error;
  }
};

/**
 * The account read again once its password was checked: the hash takes long
 * enough for an admin to disable it meanwhile. Refused when disabled, and
 * only after a correct password: a wrong one must not learn that.
 */
async function accountAfterHash(checked: UserRecord, context: ServerContext): Promise<UserRecord> {
  const current = await context.store.accounts.findUser(checked.name);
  if (current === undefined) throw new ProtocolError('auth_failed', 'wrong user name or password');
  if (current.disabled !== undefined) {
    context.logger.info('login refused: account disabled', { user: current.name });
    throw new ProtocolError('account_disabled', disabledMessage(current.disabled.reason));
  }
  return current;
}
