import { describe, expect, it } from 'vitest';
import { buildCaseFile, verifyCaseFile } from '../../libs/domain/case-file';

const build = () =>
  buildCaseFile('0b6c…', '2026-11-24T15:00:00+08:00', { 'a.json': { n: 1 }, 'b.json': ['督办〔2026〕第0001号'] });

describe('case file manifest', () => {
  it('verifies as built', () => {
    expect(verifyCaseFile(build())).toEqual({ ok: true, files: 2, problems: [] });
  });

  it('finds a changed byte, a changed manifest, a removed file and an added one', () => {
    const edited = build();
    edited.files['b.json'] = edited.files['b.json'].replace('0001', '0002');
    expect(verifyCaseFile(edited).problems).toEqual([
      { file: 'b.json', problem: expect.stringContaining('SHA-256 不符') },
    ]);

    const both = build();
    both.files['a.json'] = '{"n": 2}';
    both.manifest.files['a.json'] = '0'.repeat(64);
    expect(verifyCaseFile(both).problems.map((p) => p.file)).toEqual(['manifest', 'a.json']);

    const removed = build();
    delete removed.files['a.json'];
    expect(verifyCaseFile(removed).problems).toEqual([{ file: 'a.json', problem: '清单中的文件缺失' }]);

    const added = build();
    added.files['c.json'] = '{}';
    expect(verifyCaseFile(added).problems).toEqual([{ file: 'c.json', problem: '文件不在清单中' }]);
  });

  it('refuses what is not a case file', () => {
    expect(verifyCaseFile({ hello: 1 })).toMatchObject({ ok: false, files: 0 });
    expect(verifyCaseFile(null).ok).toBe(false);
  });
});
