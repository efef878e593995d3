/** The logger's old place; it lives in src/observe/ (imported by src/cluster/ too). */
export * from '../observe/logger.js';
