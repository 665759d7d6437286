import { describe, expect, it } from 'vitest';
import {
  dependencyDown,
  TemporalDeadlineExceeded,
  withinDeadline,
} from '../../apps/api/src/infrastructure/dependency-down';

// The API stops waiting on Temporal at the command deadline whatever the SDK does meanwhile (its
// retries of a server that is down sleep between attempts past the call's own deadline).
const passThrough = <R>(_deadline: number, fn: () => Promise<R>) => fn();

describe('a call to Temporal within the command deadline', () => {
  it('answers by the deadline when the call never does, as Temporal unavailable', async () => {
    const started = Date.now();
    const err = await withinDeadline(passThrough, 300, () => new Promise(() => undefined)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalDeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(dependencyDown(err)).toBe('temporal');
  });

  it('gives the call’s own answer or failure when it comes in time', async () => {
    expect(await withinDeadline(passThrough, 300, async () => 'ok')).toBe('ok');
    await expect(withinDeadline(passThrough, 300, () => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
  });

  it('names Postgres for its connection errors, and nothing for a plain bug', () => {
    expect(
      dependencyDown(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ).toBe('postgres');
    expect(dependencyDown({ driverError: { code: '57P01' } })).toBe('postgres');
    expect(dependencyDown(new TypeError('x is undefined'))).toBeNull();
  });
});
