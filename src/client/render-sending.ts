/** Lines about what the user sent and what still waits: quitting with messages unsent. */
import kleur from 'kleur';

function plural(count: number): string {
  return count === 1 ? '1 message' : `${count} messages`;
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
