import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../libs/domain/period';
import { buildReport, renderReportHtml, reportPrintMeta, type ReportFacts } from '../../libs/domain/reports';
import { DEFAULT_FORMULA, describeFormula, monthMetrics, rankUnits, type ScoreEvent } from '../../libs/domain/scores';
import { reportDocx } from '../../libs/shared/files/docx';

// The monthly 通报's 红黑榜: twelve units, unit n completing n of its 12 work orders in time
// (the rest climbing to 督办), so the ranks are known: 单位12 first … 单位1 last.
const month = parsePeriod('2026-11')!;
const units = Array.from({ length: 12 }, (_, i) => ({ code: `u${i + 1}`, name: `测试单位${i + 1}号` }));
const events: ScoreEvent[] = units.flatMap((u, i) =>
  Array.from({ length: 12 }, (_, k): ScoreEvent[] => {
    const id = `${u.code}-${k}`;
    const base = { obligation: id, unit: u.code, dueAt: '2026-11-20T18:00:00+08:00', data: {} };
    const opened = { ...base, revision: 1, type: 'opened', at: '2026-11-10T09:00:00+08:00', status: 'open' };
    return k < i + 1
      ? [
          opened,
          { ...base, revision: 2, type: 'completion_submitted', at: '2026-11-12T09:00:00+08:00', status: 'submitted' },
          { ...base, revision: 3, type: 'completion_accepted', at: '2026-11-13T09:00:00+08:00', status: 'completed' },
        ]
      : [
          opened,
          {
            ...base,
            revision: 2,
            type: 'rung_entered',
            at: '2026-11-21T09:00:00+08:00',
            status: 'open',
            data: { rung: 1, cause: 'deadline' },
          },
        ];
  }).flat(),
);
const facts: ReportFacts = {
  period: month,
  asOf: month.to,
  units,
  groups: [],
  indicators: [],
  start: [],
  end: [],
  rungEntries: [],
  meetings: [],
  ranks: [],
  satisfaction: null,
  clues: null,
  scores: {
    formulaText: describeFormula(DEFAULT_FORMULA),
    recomputed: null,
    units: rankUnits(monthMetrics(month, events, units), units, DEFAULT_FORMULA),
  },
};

describe('the 红黑榜 in the monthly 通报', () => {
  const report = buildReport('district_bulletin', 'office', facts);
  const section = (heading: string) => report.sections.find((s) => s.heading.includes(heading))!;

  it('lists the five best and the five worst with their scores, and every unit’s figures', () => {
    // 单位n: 按时办结 n/12, 退回 0, 重办 0/n (none reopened) — reweighted over 办结35, 退回10, 重办15;
    // 12−n 督办 at 1 point each. 单位12: 100 (all in time, no rung).
    const score = (n: number) => Math.round(((100 * (35 * (n / 12) + 10 + 15)) / 60 - (12 - n)) * 100) / 100;
    expect(section('红黑榜·红榜').rows).toEqual([12, 11, 10, 9, 8].map((n, i) => [i + 1, `测试单位${n}号`, score(n)]));
    expect(section('红黑榜·黑榜').rows).toEqual([1, 2, 3, 4, 5].map((n) => [13 - n, `测试单位${n}号`, score(n)]));
    const all = section('各单位综合评分及排名');
    expect(all.rows).toHaveLength(12);
    expect(all.rows[0].slice(0, 5)).toEqual([1, '测试单位12号', 100, '—', '100%（12/12）']);
    expect(all.note).toContain('计分公式');
  });

  it('prints it in the HTML and the Word file', async () => {
    const html = renderReportHtml(report, '2026-12-02T09:00:00+08:00');
    expect(html).toContain('红黑榜·红榜（综合得分前五名）');
    expect(html).toContain('红黑榜·黑榜（综合得分后五名）');
    expect(html).toContain('测试单位12号');
    const docx = await reportDocx(report, reportPrintMeta(report, '2026-12-02T09:00:00+08:00'));
    const xml = await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain('红黑榜·红榜（综合得分前五名）');
    expect(text).toContain('红黑榜·黑榜（综合得分后五名）');
    expect(text).toContain('测试单位1号');
  });

  it('says so when no unit could be scored', () => {
    const empty = buildReport('district_bulletin', 'office', {
      ...facts,
      scores: { ...facts.scores!, units: rankUnits(monthMetrics(month, [], units), units, DEFAULT_FORMULA) },
    });
    const red = empty.sections.find((s) => s.heading.includes('红榜'))!;
    expect(red.rows).toEqual([]);
    expect(red.note).toBe('本月无可计分的单位');
  });
});
