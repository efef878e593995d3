/** Lines the client prints outside the chat itself (render.ts is full): trust on first use and other notices. */
import kleur from 'kleur';
import type { StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import { formatTime, highlightMentions, nameColor, type RenderContext, renderStatus } from './render-parts.js';
import { sanitizeLine, sanitizeText } from './sanitize.js';

/** What an unverifiable server looks like before the question whether to trust it. */
export function renderUnknownServer(key: string, fingerprint: string): string {
  return [
    kleur.yellow(`The certificate of ${key} is not signed by a CA this client trusts.`),
    `Its SHA-256 fingerprint is ${kleur.bold(fingerprint)}`,
    'Check it with the server\'s operator before trusting it.',
  ].join('\n');
}

/** What starts an action's text: `/me waves`. */
export const ACTION_PREFIX = '/me ';

/** The convention for actions: a message whose text starts with ACTION_PREFIX. */
export function isAction(text: string): boolean {
  return text.startsWith(ACTION_PREFIX);
}

/** `HH:MM * alice waves`, in the sender's colour. */
export function renderAction(message: StoredMessage, context: RenderContext): string {
  const from = sanitizeLine(message.from);
  const text = sanitizeLine(message.text.slice(4));
  const line = `${formatTime(message.ts)} * ${from} ${text}`;
  return nameKey(from) === nameKey(context.self) ? kleur.italic(line) : nameColor(from)(kleur.italic(line));
}

/** Whether `message` mentions `self` (a bell is rung for it); never one's own. */
export function mentionsSelf(message: StoredMessage, self: string): boolean {
  return nameKey(message.from) !== nameKey(self) && highlightMentions(sanitizeText(message.text), self).mentioned;
}

export function renderBellSetting(on: boolean): string {
  return renderStatus(`bell ${on ? 'on' : 'off'}`);
}

/** A message the server asked to slow down for: it is sent again, and shown as usual once it is acked. */
export function renderPending(text: string): string {
  const lines = text.split('\n').length;
  const more = lines > 1 ? ` (+${lines - 1} lines)` : '';
  return kleur.dim(`… pending: ${sanitizeLine(text.split('\n')[0] ?? '').slice(0, 60)}${more}`);
}
