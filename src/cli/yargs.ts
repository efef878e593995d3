/**
 * yargs, loaded as CommonJS: its ES-module build wraps help text with a
 * simplified wrapper that breaks words (and counts across line breaks),
 * while the CommonJS build wraps at word boundaries.
 */
import { createRequire } from 'node:module';
import type yargsFactory from 'yargs';

const require = createRequire(import.meta.url);

export const yargs = require('yargs') as typeof yargsFactory;
export { hideBin } from 'yargs/helpers';
