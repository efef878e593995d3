/**
 * The window and conversation commands typed at the chat prompt (interface.md,
 * January: windows, conversations, familiar names; docs/client-windows.md):
 * what a line means. Pure; the chat screen parses every line with
 * `parseWindowedInput`, and window-command-runner.ts runs the `window` ones.
 */
import { isValidName, NAME_RULE } from '../protocol/names.js';
import { textProblem } from '../protocol/validate.js';
import { type Command, parseInput } from './commands.js';

export type WindowCommand =
  /** `/query USER [TEXT]`, `/q`: open (and show) the conversation with USER, sending TEXT there if given. */
  | { kind: 'query'; user: string; text?: string }
  /** `/close`: leave the shown group, or close the shown conversation window. */
  | { kind: 'close' }
  /** `/part [GROUP]`: `/close` for a group (the shown one without GROUP). */
  | { kind: 'part'; group?: string }
  /** `/window N`, Alt-N: show window N. */
  | { kind: 'window'; number: number }
  /** `/r TEXT`: answer the last person who wrote to the user directly. */
  | { kind: 'reply'; text: string }
  | { kind: 'block'; user: string }
  | { kind: 'unblock'; user: string }
  /** `/lastlog TEXT`: the lines of the shown window holding TEXT (any case). */
  | { kind: 'lastlog'; text: string }
  /** `/delete [SEQ]`: delete message SEQ of the shown window, or the user's last one there. */
  | { kind: 'delete'; seq?: number }
  /** `/set log on|off`: write the window logs (log-writer.ts). */
  | { kind: 'log'; on: boolean };

/** A line at the windowed chat prompt: a window command, or what `parseInput` makes of it. */
export type WindowedCommand = Command | { kind: 'window'; command: WindowCommand };

export const WINDOW_USAGE: Readonly<Record<string, string>> = {
  query: 'usage: /query USER [TEXT]  (or /q)',
  close: 'usage: /close  (the shown window)',
  part: 'usage: /part [GROUP]',
  window: 'usage: /window N  (or Alt-N)',
  r: 'usage: /r TEXT  (to the last person who wrote to you)',
  block: 'usage: /block USER',
  unblock: 'usage: /unblock USER',
  lastlog: 'usage: /lastlog TEXT',
  delete: 'usage: /delete [SEQ]  (without SEQ: your last message here)',
  set: 'usage: /set bell on|off, /set log on|off',
};

/** The commands of this file, as typed after `/` (for Tab). */
export const WINDOW_COMMAND_NAMES = ['/query', '/q', '/close', '/part', '/window', '/r', '/block', '/unblock', '/lastlog', '/delete', '/j', '/names'] as const;

/** The Alt keys that show windows 1 to 9 (readline's key names; `ChatTerminal.onMetaKey`). */
export const WINDOW_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The rest of `line` after its first `count` words, trimmed, its inner spacing kept; '' when there is none. */
function restAfter(line: string, count: number): string {
  let rest = line.trim();
  for (let word = 0; word < count; word++) rest = rest.replace(/^\S+\s*/, '');
  return rest;
}

/** A positive integer written in digits only (`/window 2`, `/delete 17`); undefined for anything else. */
function positiveInteger(text: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 ? value : undefined;
}

function badName(user: string): WindowedCommand {
  return { kind: 'unsendable', problem: `not a user name: ${JSON.stringify(user.slice(0, 40))} (names are ${NAME_RULE})` };
}

/** A text to send, or why it would be refused (commands.ts's words). */
function sendable(command: WindowCommand & { text?: string }): WindowedCommand {
  const problem = command.text === undefined ? undefined : textProblem(command.text);
  return problem === undefined ? { kind: 'window', command } : { kind: 'unsendable', problem: `not sent: ${problem}` };
}

/**
 * A typed line, with the window commands: `/part` = `/close` for a group, `/q`
 * = `/query` (no longer `/quit`: `/quit` and `exit` stay), and the commands of
 * `WindowCommand`. Anything else is `parseInput`'s (`/j` = `/join` and
 * `/names` = `/who` are there already).
 */
export function parseWindowedInput(line: string): WindowedCommand {
  const trimmed = line.trim();
  if (!trimmed.startsWith('/') || trimmed.startsWith('//')) return parseInput(line);
  const [rawName = '', ...args] = trimmed.slice(1).split(/\s+/);
  const name = rawName.toLowerCase();
  const usage = (key: string): WindowedCommand => ({ kind: 'usage', usage: WINDOW_USAGE[key]! });
  const window = (command: WindowCommand): WindowedCommand => ({ kind: 'window', command });
  switch (name) {
    case 'query': case 'q': {
      const user = args[0];
      if (user === undefined) return usage('query');
      if (!isValidName(user)) return badName(user);
      const text = restAfter(line, 2);
      return text === '' ? window({ kind: 'query', user }) : sendable({ kind: 'query', user, text });
    }
    case 'close': return args.length === 0 ? window({ kind: 'close' }) : usage('close');
    case 'part':
      if (args.length === 0) return window({ kind: 'part' });
      return args.length === 1 && isValidName(args[0]!) ? window({ kind: 'part', group: args[0]! }) : usage('part');
    case 'window': {
      const number = args.length === 1 ? positiveInteger(args[0]!) : undefined;
      return number === undefined ? usage('window') : window({ kind: 'window', number });
    }
    case 'r': {
      const text = restAfter(line, 1);
      return text === '' ? usage('r') : sendable({ kind: 'reply', text });
    }
    case 'block': case 'unblock': {
      if (args.length !== 1) return usage(name);
      return isValidName(args[0]!) ? window({ kind: name, user: args[0]! }) : badName(args[0]!);
    }
    case 'lastlog': {
      const text = restAfter(line, 1);
      return text === '' ? usage('lastlog') : window({ kind: 'lastlog', text });
    }
    case 'delete': {
      if (args.length === 0) return window({ kind: 'delete' });
      const seq = args.length === 1 ? positiveInteger(args[0]!) : undefined;
      return seq === undefined ? usage('delete') : window({ kind: 'delete', seq });
    }
    case 'set': {
      if (args[0]?.toLowerCase() !== 'log') {
        const parsed = parseInput(line);
        return parsed.kind === 'usage' ? usage('set') : parsed;
      }
      return args.length === 2 && /^(on|off)$/i.test(args[1]!) ? window({ kind: 'log', on: args[1]!.toLowerCase() === 'on' }) : usage('set');
    }
    default: return parseInput(line);
  }
}
