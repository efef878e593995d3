/**
 * Whether output is coloured: decided once, at startup, from the TTY,
 * NO_COLOR and FORCE_COLOR (kleur's one `enabled` flag).
 */
import kleur from 'kleur';

/** Decides once, at startup, whether output is coloured. */
export function configureColors(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  const force = env['FORCE_COLOR'];
  let enabled = isTTY;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') enabled = false;
  if (force !== undefined) enabled = force !== '0' && force !== 'false';
  kleur.enabled = enabled;
  return enabled;
}
