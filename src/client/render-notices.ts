/** Lines the client prints outside the chat itself (render.ts is full): trust on first use and other notices. */
import kleur from 'kleur';

/** What an unverifiable server looks like before the question whether to trust it. */
export function renderUnknownServer(key: string, fingerprint: string): string {
  return [
    kleur.yellow(`The certificate of ${key} is not signed by a CA this client trusts.`),
    `Its SHA-256 fingerprint is ${kleur.bold(fingerprint)}`,
    'Check it with the server\'s operator before trusting it.',
  ].join('\n');
}
