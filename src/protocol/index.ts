export * from './errors.js';
export * from './frame.js';
export * from './limits.js';
export type * from './messages.js';
export * from './names.js';
export { REQUEST_TYPES } from './messages.js';
export * from './server-message-parse.js';
export * from './validate.js';
