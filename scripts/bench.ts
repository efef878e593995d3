#!/usr/bin/env node
/** `npm run bench`: framing throughput (and, later, end-to-end delivery). */
import os from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type FramingCase, runFramingBench } from './bench/framing.js';
import { count, fixed, table } from './bench/report.js';

function framingTable(cases: FramingCase[]): string {
  const rows: string[][] = [];
  for (const result of cases) {
    for (const direction of ['encode', 'decode'] as const) {
      const figures = result[direction];
      for (const variant of ['codec', 'bare', 'json'] as const) {
        rows.push([`${result.name} ${direction}`, variant, count(figures[variant].opsPerSecond), fixed(figures[variant].mbPerSecond),
          variant === 'codec' ? fixed(figures.ratio, 2) : '']);
      }
    }
  }
  return table(['case', 'impl', 'msgs/s', 'MB/s', 'codec/bare'], rows);
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('bench')
    .usage('$0 [flags]\n\nMeasures the frame codec against bare @msgpack/msgpack (the ceiling) and newline-delimited JSON.\nEvery flag also reads TERMSENDER_<FLAG>.')
    .env('TERMSENDER')
    .options({
      json: { type: 'boolean', default: false, describe: 'print one JSON object instead of tables' },
      'duration-ms': { type: 'number', default: 1500, describe: 'time per measurement, split into rounds' },
      rounds: { type: 'number', default: 5, describe: 'rounds per measurement; the median is reported' },
      'chunk-bytes': { type: 'number', default: 16_384, describe: 'read size used to cut decode streams' },
    })
    .check((args) => {
      for (const flag of ['duration-ms', 'rounds', 'chunk-bytes'] as const) {
        if (!Number.isFinite(args[flag]) || args[flag] <= 0) throw new Error(`--${flag} must be a positive number`);
      }
      return true;
    })
    .strict()
    .help()
    .version(false)
    .parseAsync();

  const machine = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length };
  if (!argv.json) process.stderr.write(`framing benchmark on ${machine.cpu} (${machine.cores} cores), node ${machine.node}...\n`);
  const framing = runFramingBench({ durationMs: argv['duration-ms'], rounds: argv.rounds, chunkBytes: argv['chunk-bytes'] });
  if (argv.json) {
    process.stdout.write(`${JSON.stringify({ machine, framing })}\n`);
    return;
  }
  process.stdout.write(`\nFraming (${argv['chunk-bytes']}-byte reads; median of ${argv.rounds} rounds)\n${framingTable(framing)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
