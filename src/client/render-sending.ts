/** Lines about what the user sent and what still waits: held direct messages, and quitting with messages unsent. */
import kleur from 'kleur';
import { sanitizeLine } from './sanitize.js';

function plural(count: number): string {
  return count === 1 ? '1 message' : `${count} messages`;
}

/** A direct message that waited offline and whose recipient is not online yet: kept, and sent once they are. */
export function renderHeld(to: string, text: string): string {
  const name = sanitizeLine(to);
  return kleur.dim(`… ${name} is not online yet; sent when ${name} is back: ${sanitizeLine(text.split('\n')[0] ?? '').slice(0, 60)}`);
}

/** `/quit` while messages wait: how many, and whether to leave anyway. */
export function renderQuitQuestion(unsent: number): string {
  return kleur.yellow(`${plural(unsent)} not sent yet (pending). Quit anyway? [y/N] `);
}

/** After no to the question above. */
export const STAY_HINT = 'still sending; /quit again leaves anyway';

/** Said when leaving with messages that never went. */
export function renderUnsentAtQuit(unsent: number): string {
  return kleur.red(`! ${plural(unsent)} not sent`);
}
