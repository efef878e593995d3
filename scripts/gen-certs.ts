#!/usr/bin/env node
/** `npm run gen-certs`: development CA, server and client certificates. */
import path from 'node:path';
import { hideBin } from '../src/cli/yargs.js';
import { defaultDevHosts, generateDevCertificates, isValidHost } from '../src/certs/dev-certs.js';
import { strictCli, UsageError } from '../src/cli/common.js';
import { errorMessage } from '../src/protocol/errors.js';

async function main(): Promise<void> {
  const argv = await strictCli(hideBin(process.argv), {
    name: 'gen-certs',
    summary: 'Writes development certificates.',
    details: 'A private CA, a server certificate signed by it, and a client certificate\nfor mutual TLS. Keys get mode 0600.',
    envExample: 'TERMSENDER_HOSTS',
  }, {
    out: { type: 'string', default: 'certs', describe: 'folder to write into' },
    hosts: { type: 'string', default: defaultDevHosts.join(','), describe: 'comma-separated names and IP addresses for the server certificate' },
    days: { type: 'number', default: 365, describe: 'validity in days, 1 to 3650' },
    force: { type: 'boolean', default: false, describe: 'overwrite existing files' },
  }, { days: { min: 1, max: 3650, integer: true, unit: 'days' } })
    .check((args) => {
      const hosts = args.hosts.split(',').map((host) => host.trim()).filter((host) => host.length > 0);
      if (hosts.length === 0) throw new UsageError('--hosts needs at least one host');
      const invalid = hosts.filter((host) => !isValidHost(host));
      if (invalid.length > 0) throw new UsageError(`--hosts: not a host name or IP address: ${invalid.join(', ')}`);
      return true;
    })
    .version(false)
    .parseAsync();

  const hosts = argv.hosts.split(',').map((host) => host.trim()).filter((host) => host.length > 0);
  const result = await generateDevCertificates({ outDir: argv.out, hosts, days: argv.days, force: argv.force });
  // As the operator gave the folder: a path relative to where they stand, or the absolute one they typed.
  const shown = (file: string) => path.join(argv.out, path.basename(file));
  process.stdout.write(`wrote ${Object.values(result.files).map(shown).join(', ')}\n`);
  process.stdout.write(`server certificate for ${hosts.join(', ')}, valid ${argv.days} days\n`);
  process.stdout.write(`server SHA-256 fingerprint: ${result.fingerprint}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`gen-certs: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
