/**
 * Tab completion at the chat prompt, in readline's shape: the candidates and
 * the part of the line they replace. Commands after `/`; user names after
 * `/msg ` and at the end of a message (a mention); group names after
 * `/join `. Pure.
 */
export interface CompletionSources {
  /** Users known to be in the current group. */
  users: readonly string[];
  /** Group names seen in the last list. */
  groups: readonly string[];
}

export const COMMAND_NAMES = ['/create', '/groups', '/help', '/history', '/join', '/leave', '/msg', '/quit', '/who'] as const;

function startingWith(prefix: string, names: readonly string[], suffix: string): string[] {
  const lower = prefix.toLowerCase();
  return [...new Set(names)].filter((name) => name.toLowerCase().startsWith(lower)).sort().map((name) => name + suffix);
}

export function complete(line: string, sources: CompletionSources): [string[], string] {
  if (/^\/\S*$/.test(line)) return [startingWith(line, COMMAND_NAMES, ' '), line];
  const argument = /^\/(msg|dm|join)\s+(\S*)$/i.exec(line);
  if (argument) {
    const word = argument[2]!;
    return [startingWith(word, argument[1]!.toLowerCase() === 'join' ? sources.groups : sources.users, ' '), word];
  }
  if (line.startsWith('/') && !line.startsWith('//')) return [[], line];
  const word = /(\S+)$/.exec(line)?.[1] ?? '';
  if (word === '') return [[], ''];
  // At the start of the line a mention reads `alice: `; later, just the name.
  return [startingWith(word, sources.users, line === word ? ': ' : ' '), word];
}
