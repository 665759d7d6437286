import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../libs/domain/period';
import { buildReport, renderReportHtml, type ReportFacts, type Standing } from '../../libs/domain/reports';

const month = parsePeriod('2026-11')!;
const standing = (id: string, over: Partial<Standing>): Standing => ({
  id,
  kind: 'meeting_item',
  unit: 'u1',
  title: `事项${id}`,
  status: 'open',
  rung: 0,
  color: 'blue',
  dueAt: null,
  group: 'g1',
  overdueSince: null,
  ...over,
});
const facts = (over: Partial<ReportFacts>): ReportFacts => ({
  period: month,
  asOf: month.to,
  units: [{ code: 'u1', name: '区税务局' }],
  groups: [{ code: 'g1', name: '法治保障组' }],
  indicators: [],
  start: [],
  end: [],
  rungEntries: [],
  meetings: [],
  ranks: [],
  satisfaction: null,
  clues: null,
  ...over,
});

describe('the monthly reports', () => {
  it('counts an item overdue from the first deadline it missed, though a climb moved the one in force on', () => {
    const climbed = standing('a', {
      rung: 1,
      color: 'yellow',
      dueAt: '2026-12-03T18:00:00+08:00',
      overdueSince: '2026-11-26T18:00:00+08:00',
    });
    const notYet = standing('b', { dueAt: '2026-12-10T18:00:00+08:00' });
    const r = buildReport('overdue_items', 'office', facts({ end: [climbed, notYet] }));
    expect(r.summary).toEqual({ overdue: 1, units: 1 });
    expect(r.sections[0].rows).toEqual([['法治保障组', '区税务局', '事项a', '2026年11月26日 18:00', 4, '督办']]);
  });

  it('rates a unit by the worst colour it has open at the month’s end, and lists 挂牌 and above in red', () => {
    const r = buildReport(
      'district_bulletin',
      'office',
      facts({
        end: [standing('a', { rung: 2, color: 'red' }), standing('b', { status: 'completed' })],
        start: [standing('b', {})],
      }),
    );
    expect(r.summary).toMatchObject({ open: 1, completed: 1, redUnits: 1, blueUnits: 0 });
    expect(r.sections[1].rows).toEqual([['区税务局', '事项a', '挂牌', '无']]);
    expect(r.sections[2].rows[0].slice(0, 5)).toEqual(['区税务局', '红', 1, 0, 1]);
  });

  it('says what was not entered instead of inventing it', () => {
    const r = buildReport('satisfaction', 'office', facts({}));
    expect(r.missingInputs).toEqual(['satisfaction']);
    expect(r.sections[0].note).toContain('尚未录入');
  });

  it('prints the report as escaped Chinese HTML', () => {
    const r = buildReport(
      'work_report',
      'office',
      facts({ end: [standing('a', { title: '<script>alert(1)</script>', kind: 'work_order' })] }),
    );
    const html = renderReportHtml(
      { ...r, sections: [{ heading: '事项', columns: ['名称'], rows: [['<script>alert(1)</script>']] }] },
      '2026-12-05T09:00:00+08:00',
    );
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<h1>2026年11月每月营商环境工作情况通报</h1>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('营商报〔2026〕第11期');
    expect(html).toContain('督导落实组</p><p>印发日期：2026年12月5日</p>');
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('names a group’s weekly list once, and what is missing in Chinese', () => {
    const groups = [{ code: 'rule-of-law', name: '法治保障组' }];
    const w = buildReport('group_weekly', 'rule-of-law', { ...facts({}), groups, period: parsePeriod('2026-W48')! });
    expect(w.title).toBe('2026年第48周（11月23日—11月29日）法治保障组周例会部署事项清单');
    const html = renderReportHtml(buildReport('satisfaction', 'office', facts({})), '2026-12-05T09:00:00+08:00');
    expect(html).toContain('尚缺数据：企业满意度调查结果');
    const visible = html.replace(/<style>[^]*?<\/style>/, '').replace(/<[^>]+>/g, '');
    expect(visible).not.toMatch(/[A-Za-z]{2,}/);
  });
});
