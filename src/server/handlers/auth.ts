/** AUTH: `register` and `login`. */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, ProtocolError } from '../../protocol/errors.js';
import type { LoginRequest, PasswordLoginRequest, RegisterRequest, TokenLoginRequest } from '../../protocol/messages.js';
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
  const token = await resumeToken(created.name, context, source);
  return { state: { kind: 'group_select', user: created.name }, reply: { type: 'auth_ok', user: created.name, role: created.role, ...token } };
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

/** Best effort, as the login time: a store that cannot write now gives no token (the client signs in with its password next time). */
async function resumeToken(user: string, context: ServerContext, source: RequestSource): Promise<{ resume_token?: string }> {
  try {
    return { resume_token: await context.resumeTokens.issue(user, source.signal) };
  } catch (error) {
    context.logger.warn('could not store a resume token', { user, reason: errorMessage(error) });
    return {};
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
  const byToken = !('password' in request);
  const checked = byToken ? await tokenAccount(request, validName, context) : await passwordAccount(request, validName, context, source);
  const user = checked.account;
  if (user === undefined) {
    // A refused resume token counts as a wrong password, for the throttle and on the connection.
    if (validName) context.throttle.recordFailure(request.user);
    source.passwordFailures.record();
    const failed = { user: request.user.slice(0, 64), failures: source.passwordFailures.failures };
    // A name with no account may be a password typed in the wrong field: kept out of info logs; an expired token is routine.
    if (checked.refusal === 'wrong password') context.logger.info('login failed', failed);
    else context.logger.debug(`login failed: ${checked.refusal}`, failed);
    return { reply: { type: 'error', code: 'auth_failed', message: byToken ? 'resume token refused' : 'wrong user name or password' } };
  }
  context.throttle.recordSuccess(request.user);
  // From here an account closed (disabled) meanwhile, on any node, revokes this sign-in.
  const signIn = context.hub.holdSignIn(source.member, user.name, source.signal);
  try {
    const current = await accountAfterHash(user, context);
    await rememberLogin(current.name, context);
    if (signIn.revoked !== undefined) throw new ProtocolError('account_disabled', signIn.revoked);
    context.logger.info('login', { user: current.name, role: current.role, ...(byToken ? { with: 'resume token' } : {}) });
    const token = await resumeToken(current.name, context, source);
    return { state: { kind: 'group_select', user: current.name }, reply: { type: 'auth_ok', user: current.name, role: current.role, ...token } };
  } catch (error) {
    signIn.release();
    throw error;
  }
};

/** The account a login signs in, or why none. */
type Checked = { account: UserRecord; refusal?: undefined } | { account: undefined; refusal: 'no such account' | 'wrong password' | 'resume token refused' };

/** The account when `password` is its password; an unknown user is verified against a dummy hash: same answer, same time. */
async function passwordAccount(request: PasswordLoginRequest, validName: boolean, context: ServerContext, source: RequestSource): Promise<Checked> {
  const user = validName ? await context.store.accounts.findUser(request.user) : undefined;
  const valid = await hashing(context.hasher.verify(request.password, user?.passwordHash, hashRequester(source, context)));
  if (user === undefined) return { account: undefined, refusal: 'no such account' };
  return valid ? { account: user } : { account: undefined, refusal: 'wrong password' };
}

/** The account when the resume token signs it in (the token is used up either way). */
async function tokenAccount(request: TokenLoginRequest, validName: boolean, context: ServerContext): Promise<Checked> {
  const user = validName && (await context.resumeTokens.redeem(request.user, request.resume_token)) ? await context.store.accounts.findUser(request.user) : undefined;
  return user === undefined ? { account: undefined, refusal: 'resume token refused' } : { account: user };
}

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
