/**
 * Pure formatting: a message in, the lines to print out. Everything from the
 * network passes through sanitize first. Colours come from kleur, whose
 * `enabled` flag is set once at startup (see colors.ts).
 */
import kleur from 'kleur';
import { type ErrorCode, errorMessage, ProtocolError } from '../protocol/errors.js';
import { MIN_PASSWORD_BYTES } from '../protocol/limits.js';
import type { StoredMessage } from '../protocol/messages.js';
import { NAME_RULE, nameKey } from '../protocol/names.js';
import { formatStamp } from './day-markers.js';
import { isAction, renderAction } from './render-notices.js';
import { formatTime, highlightMentions, nameColor, type RenderContext, renderNotice, renderStatus } from './render-parts.js';
import { boundedLine, sanitizeLine, sanitizeText } from './sanitize.js';
import { displayWidth, wrapLine } from './width.js';

export { formatTime, highlightMentions, nameColor, type RenderContext, renderNotice, renderStatus } from './render-parts.js';
export { renderGroupTable, renderJoined, renderMembers } from './render-lists.js';

export const ERROR_MEANINGS: Readonly<Record<ErrorCode, string>> = {
  frame_too_large: 'a message was too large for the server',
  bad_frame: 'the server could not read what was sent',
  bad_message: 'the server rejected a malformed request',
  wrong_state: 'that is not possible right now',
  invalid_name: `names are ${NAME_RULE}`,
  weak_password: `passwords need at least ${MIN_PASSWORD_BYTES} bytes`,
  user_exists: 'that user name is taken',
  registration_closed: 'this server does not accept new accounts',
  auth_failed: 'wrong user name or password',
  too_many_attempts: 'too many failed logins; the server closed the connection',
  auth_timeout: 'took too long to sign in',
  no_such_group: 'there is no such group',
  group_exists: 'that group already exists',
  no_such_user: 'there is no such user',
  offline: 'that user is not online',
  rate_limited: 'slow down: too many messages per second',
  slow_consumer: 'the connection fell too far behind',
  idle_timeout: 'closed after a long time without activity',
  server_busy: 'the server is full; try again later',
  internal: 'the server hit an internal error',
  unavailable: 'the server cannot do that right now; try again',
  limit_reached: 'the server has reached one of its limits',
  not_allowed: 'your role does not permit that',
  banned: 'you are banned from that group',
  account_disabled: 'this account is disabled',
  not_in_group: 'you are not in that group',
  no_such_message: 'there is no such message',
  blocked: 'that user does not accept your messages',
};

/**
 * `prefix` followed by `body`, wrapped to `width` columns with continuation
 * lines indented under the body. `paintBody` styles each piece after wrapping.
 */
function hanging(prefix: string, prefixWidth: number, body: string, width: number, paintBody: (line: string) => string): string {
  const indentWidth = width - prefixWidth >= 20 ? prefixWidth : 2;
  const first = Math.max(10, width - prefixWidth);
  const rest = Math.max(10, width - indentWidth);
  const pieces: string[] = [];
  body.split('\n').forEach((line, index) => {
    if (index > 0 || first === rest) {
      pieces.push(...wrapLine(line, index === 0 ? first : rest));
      return;
    }
    const [head = '', ...tail] = wrapLine(line, first);
    pieces.push(head);
    if (tail.length > 0) pieces.push(...wrapLine(tail.join(' '), rest));
  });
  const indent = ' '.repeat(indentWidth);
  return pieces.map((piece, index) => (index === 0 ? prefix : indent) + paintBody(piece)).join('\n');
}

export function renderChat(message: StoredMessage, context: RenderContext): string {
  if (isAction(message.text)) return renderAction(message, context);
  const from = sanitizeLine(message.from);
  const own = nameKey(from) === nameKey(context.self);
  const time = context.now === undefined ? formatTime(message.ts) : formatStamp(message.ts, context.now);
  const prefix = `${kleur.gray(time)} ${own ? kleur.bold(from) : nameColor(from)(from)}: `;
  const prefixWidth = displayWidth(`${time} ${from}: `);
  let mentioned = false;
  const text = sanitizeText(message.text);
  return hanging(prefix, prefixWidth, text, context.width, (line) => {
    if (own) return line;
    const result = highlightMentions(line, context.self);
    mentioned ||= result.mentioned;
    return result.text;
  }) + (mentioned ? ` ${kleur.yellow('◀')}` : '');
}

export function renderDirect(message: { from: string; to: string; text: string; ts: number }, context: RenderContext): string {
  const from = sanitizeLine(message.from);
  const to = sanitizeLine(message.to);
  const outgoing = nameKey(from) === nameKey(context.self);
  const time = formatTime(message.ts);
  const label = outgoing ? `[dm] you → ${to}` : `[dm] ${from} → you`;
  const prefix = `${kleur.gray(time)} ${kleur.bold().magenta(label)}: `;
  return hanging(prefix, displayWidth(`${time} ${label}: `), sanitizeText(message.text), context.width, (line) => kleur.magenta(line));
}

/** `removal` (a `leave` caused by kick or ban): `carol was kicked from secret by alice: spam`. */
export function renderPresence(user: string, group: string, event: 'join' | 'leave', ts: number, removal: { by?: string; reason?: string; banned?: boolean } = {}): string {
  const who = `${formatTime(ts)} -- ${sanitizeLine(user)}`;
  if (event === 'leave' && removal.by !== undefined) {
    const reason = removal.reason === undefined || removal.reason === '' ? '' : `: ${boundedLine(removal.reason)}`;
    return kleur.dim(`${who} was ${removal.banned === true ? 'banned' : 'kicked'} from ${sanitizeLine(group)} by ${sanitizeLine(removal.by)}${reason}`);
  }
  return kleur.dim(`${who} ${event === 'join' ? 'joined' : 'left'} ${sanitizeLine(group)}`);
}

/** An error in words, with the server's detail (bounded) when it adds something: never the same words twice. */
export function renderError(code: ErrorCode, detail?: string): string {
  const meaning = ERROR_MEANINGS[code];
  const said = detail === undefined ? '' : boundedLine(detail).trim();
  if (said === '' || said.toLowerCase() === meaning.toLowerCase()) return kleur.red(`! ${meaning}`);
  // `this account is disabled by root: spam` says the meaning and more.
  if (said.toLowerCase().startsWith(meaning.toLowerCase())) return kleur.red(`! ${said}`);
  return kleur.red(`! ${meaning} (${said})`);
}

// ---- the chat screen's lines (chat.ts and its parts ask for these; they build no strings) ----

/** The chat prompt: the current group's name, or none. */
export function renderPrompt(group: string | undefined): string {
  return group === undefined ? '> ' : `${kleur.bold(sanitizeLine(group))}> `;
}

/** A hint (yellow): what to do instead. */
export function renderHint(text: string): string {
  return kleur.yellow(text);
}

/** A problem found before anything was sent (red). */
export function renderProblem(text: string): string {
  return kleur.red(`! ${sanitizeLine(text)}`);
}

export function renderConnected(server: string, host: string, port: number): string {
  return renderStatus(`connected to ${sanitizeLine(server)} at ${host}:${port}`);
}

export const NOT_IN_GROUP_NOTICE = 'Not in a group: /groups to list them, /join GROUP or /create GROUP.';

export function renderUnknownCommand(name: string): string {
  return renderHint(`unknown command /${sanitizeLine(name)}: /help lists them`);
}

export function renderMissed(count: number): string {
  return renderNotice(`(${count} message${count === 1 ? '' : 's'} while you were away)`);
}

export function renderLeft(group: string): string {
  return renderStatus(`left ${sanitizeLine(group)}`);
}

/** A page of `/history`, framed by a header and a footer. */
export function renderEarlier<M extends { ts: number }>(
  messages: readonly M[], more: boolean, context: RenderContext,
  renderOne: (message: M, context: RenderContext) => string,
): string[] {
  if (messages.length === 0) return [renderNotice('(no earlier messages)')];
  return [
    renderNotice(`── ${messages.length} earlier message${messages.length === 1 ? '' : 's'} ──`),
    ...messages.map((message) => renderOne(message, { ...context, now: context.now ?? Date.now() })),
    renderNotice(`── end of earlier messages${more ? ' (more: /history again)' : ''} ──`),
  ];
}

/** A command that failed; for a message, what was not sent. */
export function renderCommandFailure(error: unknown, unsentText: string | undefined): string {
  const unsent = unsentText === undefined ? '' : ` — not sent: ${sanitizeLine(unsentText).slice(0, 60)}`;
  if (error instanceof ProtocolError) {
    const detail = error.code === 'frame_too_large' || error.code === 'limit_reached' ? error.message : undefined;
    return renderError(error.code, detail) + kleur.red(unsent);
  }
  return kleur.red(`! ${boundedLine(errorMessage(error))}${unsent}`);
}

/** What a `shutdown` says, without saying "shutting down" twice. */
export function renderShutdown(message: string): string {
  const reason = boundedLine(message);
  return renderStatus(/shut(ting)? down/i.test(reason) || reason === '' ? 'the server is shutting down' : `the server is shutting down: ${reason}`);
}

export function renderConnectionLost(error: Error | undefined): string {
  return renderStatus(`connection lost${error ? ` (${boundedLine(error.message)})` : ''}`);
}

export function renderGivingUp(error: Error): string {
  return kleur.red(`! ${boundedLine(error.message)}; giving up`);
}

/** One plain line for line mode: `[group] user: text`, `[dm] from -> to: text`. */
export function plainChat(message: StoredMessage): string {
  return `[${sanitizeLine(message.group)}] ${sanitizeLine(message.from)}: ${sanitizeLine(message.text)}`;
}

export function plainDirect(message: { from: string; to: string; text: string }): string {
  return `[dm] ${sanitizeLine(message.from)} -> ${sanitizeLine(message.to)}: ${sanitizeLine(message.text)}`;
}
