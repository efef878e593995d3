/** The metrics' old place; they live in src/observe/ (imported by src/cluster/ too). */
export * from '../observe/metrics.js';
