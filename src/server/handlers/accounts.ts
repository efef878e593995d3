/**
 * Account requests of signed-in users (December additions): `passwd` for the
 * account itself; `disable_user`, `enable_user` and `reset_password` for
 * admins. The caller's role is read from the store at each request, so a
 * role given or taken by the admin command counts at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError } from '../../protocol/errors.js';
import type { DisableUserRequest, EnableUserRequest, PasswdRequest, ResetPasswordRequest } from '../../protocol/messages.js';
import type { UserRecord } from '../../store/store.js';
import type { Handler, ServerContext } from '../context.js';
import type { SignedInSession } from '../session.js';
import { disabledMessage, hashing, hashRequester } from './auth.js';

/** The caller's account, when its role is admin; otherwise `not_allowed`. */
export async function requireAdmin(session: SignedInSession, context: ServerContext, what: string): Promise<UserRecord> {
  const caller = await context.store.accounts.findUser(session.user);
  if (caller?.role !== 'admin') throw new ProtocolError('not_allowed', `only admins may ${what}`);
  return caller;
}

async function existingUser(name: string, context: ServerContext): Promise<UserRecord> {
  const user = await context.store.accounts.findUser(name);
  if (user === undefined) throw noSuchUser(name);
  return user;
}

function noSuchUser(name: string): ProtocolError {
  return new ProtocolError('no_such_user', `no user '${name}'`);
}

/**
 * The account changes its own password, after proving the old one (a wrong
 * one is `auth_failed`, paced by the login throttle and counted with the
 * connection's failed logins: past the limit, `too_many_attempts` closes it).
 * Its other connections stay.
 */
export const passwd: Handler<PasswdRequest, SignedInSession> = async (request, session, context, source) => {
  source.passwordFailures.checkAttempt();
  const wait = context.throttle.delayFor(session.user);
  if (wait > 0) await sleep(wait, undefined, { signal: source.signal });
  const user = await existingUser(session.user, context);
  const valid = await hashing(context.hasher.verify(request.old, user.passwordHash, hashRequester(source, context)));
  if (!valid) {
    context.throttle.recordFailure(session.user);
    source.passwordFailures.record();
    context.logger.info('passwd: wrong old password', { user: user.name, failures: source.passwordFailures.failures });
    throw new ProtocolError('auth_failed', 'wrong password');
  }
  context.throttle.recordSuccess(session.user);
  const hash = await hashing(context.hasher.hash(request.new, hashRequester(source, context)));
  if (!(await context.store.accounts.setPasswordHash(user.name, hash))) throw noSuchUser(user.name);
  context.logger.info('password changed', { user: user.name });
  return { reply: { type: 'ok' } };
};

/** Admin: the account's connections (on every node) get `account_disabled` and close; its logins are refused. */
export const disableUser: Handler<DisableUserRequest, SignedInSession> = async (request, session, context) => {
  const admin = await requireAdmin(session, context, 'disable accounts');
  const target = await existingUser(request.user, context);
  if (target.name === admin.name) throw new ProtocolError('not_allowed', 'an admin cannot disable its own account');
  const reason = request.reason ?? '';
  if (!(await context.store.accounts.setDisabled(target.name, { reason, at: Date.now() }))) throw noSuchUser(request.user);
  context.logger.info('account disabled', { user: target.name, by: admin.name });
  return { reply: { type: 'ok' }, closeAccount: { user: target.name, message: disabledMessage(reason, admin.name) } };
};

/** Admin: the account may log in again. */
export const enableUser: Handler<EnableUserRequest, SignedInSession> = async (request, session, context) => {
  const admin = await requireAdmin(session, context, 'enable accounts');
  const target = await existingUser(request.user, context);
  if (!(await context.store.accounts.setDisabled(target.name, undefined))) throw noSuchUser(request.user);
  context.logger.info('account enabled', { user: target.name, by: admin.name });
  return { reply: { type: 'ok' } };
};

/** Admin: sets another account's password; that account's live connections stay. */
export const resetPassword: Handler<ResetPasswordRequest, SignedInSession> = async (request, session, context, source) => {
  const admin = await requireAdmin(session, context, 'reset passwords');
  const target = await existingUser(request.user, context);
  const hash = await hashing(context.hasher.hash(request.password, hashRequester(source, context)));
  if (!(await context.store.accounts.setPasswordHash(target.name, hash))) throw noSuchUser(request.user);
  context.logger.info('password reset', { user: target.name, by: admin.name });
  return { reply: { type: 'ok' } };
};
