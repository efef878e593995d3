/** What a line typed at the chat prompt means. Pure. */
import { HISTORY_MAX_LIMIT, MAX_TEXT_BYTES } from '../protocol/limits.js';
import { textProblem } from '../protocol/validate.js';
import { type ModerationCommand, parseModerationInput } from './moderation-commands.js';

export type Command =
  | { kind: 'say'; text: string }
  | { kind: 'help' }
  /** `filter` (`/groups TEXT`): only the groups whose name holds TEXT, in any case. */
  | { kind: 'groups'; filter?: string }
  | { kind: 'join'; group: string }
  /** `private` (`/create -p NAME`): a private group. */
  | { kind: 'create'; group: string; private?: true }
  | { kind: 'leave' }
  | { kind: 'who' }
  | { kind: 'msg'; to: string; text: string }
  | { kind: 'history'; count: number }
  | { kind: 'quit' }
  /** `/set bell on|off`: a bell on a mention or a direct message. */
  | { kind: 'set'; bell: boolean }
  /** `/topic`, `/kick`, `/passwd`… (moderation-commands.ts). */
  | { kind: 'moderation'; command: ModerationCommand }
  /** `/next` (or Alt-n): the next group with unread messages. */
  | { kind: 'next' }
  | { kind: 'usage'; usage: string }
  /** A text the server would refuse: said here, not sent. */
  | { kind: 'unsendable'; problem: string }
  | { kind: 'unknown'; name: string }
  | { kind: 'empty' };

export const DEFAULT_HISTORY_COUNT = 20;

const USAGE: Readonly<Record<string, string>> = {
  join: 'usage: /join GROUP',
  create: 'usage: /create [-p] GROUP  (-p: private)',
  msg: 'usage: /msg USER TEXT',
  set: 'usage: /set bell on|off',
  history: `usage: /history [N]  (N from 1 to ${HISTORY_MAX_LIMIT})`,
};

export function parseInput(line: string): Command {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed === 'exit') return { kind: 'quit' };
  if (line.startsWith('//')) return checked({ kind: 'say', text: line.slice(1) });
  if (!trimmed.startsWith('/')) return checked({ kind: 'say', text: line });
  const [rawName = '', ...args] = trimmed.slice(1).split(/\s+/);
  const name = rawName.toLowerCase();
  const usage = (key: string): Command => ({ kind: 'usage', usage: USAGE[key]! });
  switch (name) {
    case 'help': case '?': return { kind: 'help' };
    case 'groups': case 'list': return args.length === 0 ? { kind: 'groups' } : args.length === 1 ? { kind: 'groups', filter: args[0]! } : { kind: 'usage', usage: 'usage: /groups [TEXT]' };
    // `/j`: the familiar short name (interface.md, January).
    case 'join': case 'j':
      return args.length === 1 ? { kind: 'join', group: args[0]! } : usage('join');
    case 'create': {
      const group = args.filter((arg) => !/^(-p|--private)$/i.test(arg));
      if (group.length !== 1) return usage(name);
      return group.length === args.length ? { kind: name, group: group[0]! } : { kind: name, group: group[0]!, private: true };
    }
    case 'next': return { kind: 'next' };
    // `/part`: the familiar name; with windows it is `/close` for a group (window-commands.ts).
    case 'leave': case 'part': return { kind: 'leave' };
    // An action: sent as a message starting with `/me ` (the convention every client shows as one).
    case 'me': return args.length > 0 ? checked({ kind: 'say', text: `/me ${trimmed.slice(3).trim()}` }) : { kind: 'usage', usage: 'usage: /me TEXT' };
    case 'set':
      return args.length === 2 && args[0]!.toLowerCase() === 'bell' && /^(on|off)$/i.test(args[1]!) ? { kind: 'set', bell: args[1]!.toLowerCase() === 'on' } : usage('set');
    case 'who': case 'names': return { kind: 'who' };
    case 'msg': case 'dm': {
      const match = /^\/\S+\s+(\S+)\s+([\s\S]+)$/.exec(trimmed);
      return match ? checked({ kind: 'msg', to: match[1]!, text: match[2]! }) : usage('msg');
    }
    case 'history': {
      if (args.length === 0) return { kind: 'history', count: DEFAULT_HISTORY_COUNT };
      const count = Number(args[0]);
      return args.length === 1 && Number.isInteger(count) && count >= 1 && count <= HISTORY_MAX_LIMIT ? { kind: 'history', count } : usage('history');
    }
    case 'quit': case 'exit': case 'q': return { kind: 'quit' };
    default: return parseModerationInput(name, trimmed) ?? { kind: 'unknown', name };
  }
}

function checked(command: Extract<Command, { kind: 'say' | 'msg' }>): Command {
  const problem = textProblem(command.text);
  if (problem === undefined) return command;
  const bytes = Buffer.byteLength(command.text, 'utf8');
  return { kind: 'unsendable', problem: `not sent: ${problem}${bytes > MAX_TEXT_BYTES ? ` (this one is ${bytes})` : ''}` };
}
