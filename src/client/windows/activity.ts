/**
 * What a message arriving in a window does besides being kept
 * (docs/client-windows.md): whether it counts in the hotlist, whether it is a
 * mention (the one rule, protocol/mentions.ts, that the server's
 * `activity.mention` follows too), and whether it rings the bell. Pure.
 */
import { mentions } from '../../protocol/mentions.js';
import { nameKey } from '../../protocol/names.js';
import type { ChatWindow } from './window-list.js';

export interface ArrivalEffect {
  /** Counted in the window's activity (the window is not shown, and the message is another's). */
  counted: boolean;
  /** The message mentions the user (the name as a word, with or without `@`), in a group window. */
  mention: boolean;
  /** Rings the bell (when `/set bell` is on): a mention, or a direct message from the other side, shown or not. */
  bell: boolean;
}

const NOTHING: ArrivalEffect = { counted: false, mention: false, bell: false };

/**
 * The effect of a new message from `from` with `text`, in `window`, for the
 * signed-in user `self`; `shown` is the window on screen. The user's own
 * messages (sent here or from another device) count for nothing, and nor do
 * messages in the status window.
 */
export function arrivalEffect(window: ChatWindow, shown: ChatWindow, from: string, text: string, self: string): ArrivalEffect {
  if (nameKey(from) === nameKey(self) || window.target.kind === 'status') return NOTHING;
  const counted = window !== shown;
  if (window.target.kind === 'conversation') return { counted, mention: false, bell: true };
  const mention = mentions(text, self);
  return { counted, mention, bell: mention };
}

/** Adds an arrival to the window's activity; returns the effect. */
export function recordArrival(window: ChatWindow, shown: ChatWindow, from: string, text: string, self: string): ArrivalEffect {
  const effect = arrivalEffect(window, shown, from, text, self);
  if (effect.counted) {
    window.activity.messages++;
    if (effect.mention) window.activity.mentions++;
  }
  return effect;
}
