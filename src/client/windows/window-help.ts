/**
 * `/help` of the windowed chat screen (issue 23): the commands grouped by the
 * kind of window they act in, then the sections the user's roles allow
 * (help.ts's `roleHelp`), wrapped at words to the terminal's width (78
 * columns by default: an 80-column terminal with a margin). Pure; the chat
 * screen's `/help`.
 */
import { roleHelp, type Roles, wrapHelp } from '../help.js';

/** Columns the help fits when the terminal's width is not known. */
export const HELP_COLUMNS = 78;

const WINDOWS = [
  'Windows (the status line lists those with news: [2:ops 3 @1, 4:bob 1]):',
  '  Alt-1 … Alt-9       show window 1 to 9 (/window N for any N)',
  '  /window N           show window N; window 1 is the status window',
  '  /join GROUP         join GROUP in a window of its own (/j)',
  '  /query USER [TEXT]  open the conversation with USER, its history from the server (/q)',
  '  /close              leave the shown group, or close the shown conversation',
  '  /lastlog TEXT       the lines of the shown window that hold TEXT, in any case',
];

const STATUS = [
  'In the status window (1):',
  '  /groups [TEXT]      groups and who is online (TEXT: only names holding it)',
  '  /create [-p] GROUP  create GROUP (-p: private, only those invited see it)',
  '  /next (or Alt-n)    the next group with unread messages',
];

const GROUP = [
  'In a group window:',
  '  TEXT                said to the group; start with // to send a line that begins with /',
  '  /me TEXT            an action: * you TEXT',
  '  /who                who is in the group: ~owner, &admins, @moderators (/names)',
  '  /history [N]        the N messages before the oldest shown (default 20)',
  '  /topic              the group\'s topic',
  '  /delete [SEQ]       delete your message SEQ, or your last one',
  '  /part               leave the group and close its window (/close)',
];

const CONVERSATION = [
  'In a conversation window:',
  '  TEXT                sent to the other user, stored if they are not signed in',
  '  /history [N]        the N messages before the oldest shown (default 20)',
  '  /delete [SEQ]       delete your message SEQ, or your last one',
  '  /close              close the window (the conversation stays on the server)',
];

const EVERYWHERE = [
  'Anywhere:',
  '  /msg USER TEXT      a direct message to USER, shown in their window',
  '  /r TEXT             answer the last person who wrote to you directly',
  '  /block USER         USER\'s direct messages are refused (/unblock USER)',
  '  /set bell on|off    a bell on a mention or a direct message (default on)',
  '  /set log on|off     write each window to a file per day (--log-dir)',
  '  /passwd             change your password',
  '  /help               this list; /quit or exit leaves',
  'Tab completes commands, names and groups.',
];

/** The help lines, by window kind, then by role; wrapped to `width` columns. */
export function windowHelpText(roles: Roles, width: number = HELP_COLUMNS): string {
  const lines = [...WINDOWS, ...STATUS, ...GROUP, ...CONVERSATION, ...EVERYWHERE, ...roleHelp(roles)];
  return wrapHelp(lines.join('\n'), width);
}
