/**
 * `notice` (January addition): an admin's text, as `say`'s, to every
 * signed-in connection on every node (the sender's own included), with the
 * admin's name and the time. Not stored: whoever signs in later never sees it.
 */
import type { NoticeRequest } from '../../protocol/messages.js';
import type { Handler } from '../context.js';
import type { SignedInSession } from '../session.js';
import { requireAdmin } from './accounts.js';

export const notice: Handler<NoticeRequest, SignedInSession> = async (request, session, context) => {
  const admin = await requireAdmin(session, context, 'send notices');
  context.logger.info('notice sent', { by: admin.name });
  return { reply: { type: 'ok' }, notice: { type: 'notice', text: request.text, by: admin.name, ts: Date.now() } };
};
