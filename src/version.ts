/** The name/version announced in `welcome` and printed by `--version`. */
export const VERSION = '0.1.0';
export const SERVER_NAME = `termsender/${VERSION}`;
