#!/usr/bin/env node
/** `npm run gen-certs`: development CA, server and client certificates. */
import path from 'node:path';
import { hideBin, yargs } from '../src/cli/yargs.js';
import { defaultDevHosts, generateDevCertificates, isValidHost } from '../src/certs/dev-certs.js';
import { strictCli, UsageError, withEnvNames } from '../src/cli/common.js';

async function main(): Promise<void> {
  const argv = await strictCli(yargs(hideBin(process.argv)), {
    name: 'gen-certs',
    summary: 'Writes development certificates.',
    details: 'A private CA, a server certificate signed by it, and a client certificate\nfor mutual TLS. Keys get mode 0600.',
    envExample: 'TERMSENDER_HOSTS',
  })
    .options(withEnvNames({
      out: { type: 'string', default: 'certs', describe: 'folder to write into' },
      hosts: { type: 'string', default: defaultDevHosts.join(','), describe: 'comma-separated names and IP addresses for the server certificate' },
      days: { type: 'number', default: 365, describe: 'validity in days, 1 to 3650' },
      force: { type: 'boolean', default: false, describe: 'overwrite existing files' },
    }))
    .check((args) => {
      if (!Number.isInteger(args.days) || args.days < 1 || args.days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
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
  const shown = (file: string) => path.relative(process.cwd(), file) || file;
  process.stdout.write(`wrote ${Object.values(result.files).map(shown).join(', ')}\n`);
  process.stdout.write(`server certificate for ${hosts.join(', ')}, valid ${argv.days} days\n`);
  process.stdout.write(`server SHA-256 fingerprint: ${result.fingerprint}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`gen-certs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
