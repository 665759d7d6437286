import { COLOR_NAMES, type Color } from './color';
import { KINDS } from './kinds';
import { rungName, RUNGS, type Rung } from './ladder';
import type { ObligationKind, ObligationStatus } from './obligation';
import { describePeriod, type Period } from './period';
import { fraction, METRIC_NAMES, METRICS, percent, type UnitScore } from './scores';
import { escapeHtml, ISSUING_OFFICE, PRINT_CSS, SIGNATURE } from './official-document';
import { chineseDate, chineseDateTime, toShanghaiIso } from './time';

// The office's recurring reports (seed 三(二)–(五)), computed only from what was recorded up to the
// end of their period, so regenerating a past period gives the same content.

export const REPORT_TYPES = {
  group_weekly: { title: '工作组周例会部署事项清单', cadence: 'week', scope: 'group' },
  office_weekly: { title: '营转办周例会纪要', cadence: 'week', scope: 'office' },
  district_bulletin: { title: '营商环境工作通报（蓝黄红）', cadence: 'month', scope: 'office' },
  // The five monthly reports to the discipline commission's team (纪委监委派驻组).
  work_report: { title: '每月营商环境工作情况通报', cadence: 'month', scope: 'office' },
  overdue_items: { title: '营商环境每周例会部署事项久拖未完成情况', cadence: 'month', scope: 'office' },
  task_list: { title: '营商环境任务清单完成情况', cadence: 'month', scope: 'office' },
  satisfaction: { title: '企业满意度调查情况通报', cadence: 'month', scope: 'office' },
  clues: { title: '“亮优揭短”有关问题线索', cadence: 'month', scope: 'office' },
} as const;

export type ReportType = keyof typeof REPORT_TYPES;

/**
 * Reports that name units' 问题线索 (the 亮优揭短 clues, from informants and inspections) are for the
 * supervision group and the discipline commission only, as their input is; the rest, like the
 * bulletin that is published to every unit, may be read by departments too.
 */
const SUPERVISION_ONLY: readonly ReportType[] = ['clues'];

export function mayReadReport(role: string, type: ReportType): boolean {
  return role === 'supervisor' || role === 'auditor' || !SUPERVISION_ONLY.includes(type);
}
export const DISCIPLINE_REPORTS: ReportType[] = ['work_report', 'overdue_items', 'task_list', 'satisfaction', 'clues'];
/** The office-wide scope of a report that is not one group's. */
export const OFFICE_SCOPE = 'office';

/** An obligation's standing after its last event before some instant. */
export interface Standing {
  id: string;
  kind: ObligationKind;
  unit: string;
  title: string;
  status: ObligationStatus;
  rung: Rung;
  color: Color;
  dueAt: string | null;
  /** The working group of a meeting item. */
  group: string | null;
  /** The deadline in force when it first climbed the ladder, if it has. */
  overdueSince: string | null;
}

export interface MeetingFact {
  group: string;
  date: string;
  attendees: string[];
  minutes: string;
  items: number;
}

export interface RankFact {
  indicator: string;
  rank: number;
  of: number;
  colour: Color;
}

/** Survey scores, entered by the supervision group: the product cannot know them. */
export interface SatisfactionInput {
  overall?: number;
  respondents?: number;
  units: Array<{ unit: string; score: number; respondents?: number }>;
}

/** 亮优揭短 clues, entered by the supervision group. */
export interface CluesInput {
  clues: Array<{ type: '亮优' | '揭短'; unit: string; title: string; detail?: string; source?: string }>;
}

export interface ReportFacts {
  period: Period;
  /** The period's end, or the generation time while the period is still running. */
  asOf: Date;
  units: Array<{ code: string; name: string }>;
  groups: Array<{ code: string; name: string }>;
  indicators: Array<{ code: string; name: string; leadUnit: string }>;
  /** Standings at the period's start and at `asOf`. */
  start: Standing[];
  end: Standing[];
  /** Rungs entered during the period. */
  rungEntries: Array<{ id: string; unit: string; rung: Rung; at: string }>;
  meetings: MeetingFact[];
  ranks: RankFact[];
  satisfaction: SatisfactionInput | null;
  clues: CluesInput | null;
  /** The month's 单位排名 (monthly reports only): every unit's score and rank, and the formula used. */
  scores?: { formulaText: string; recomputed: string | null; units: UnitScore[] };
}

export interface ReportSection {
  heading: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Said when the table is empty or its data was not entered. */
  note?: string;
}

export interface ReportContent {
  type: ReportType;
  title: string;
  period: string;
  periodName: string;
  asOf: string;
  scope: string;
  scopeName: string;
  summary: Record<string, number>;
  sections: ReportSection[];
  /** Inputs the report needs that nobody has entered for the period. */
  missingInputs: string[];
}

const UNDONE: readonly ObligationStatus[] = ['open', 'submitted', 'returned', 'suspended'];
const isUndone = (s: Standing) => UNDONE.includes(s.status);
const DAY_MS = 24 * 60 * 60 * 1000;

/** The first deadline it missed, if any by `at`: a climb moves the deadline in force on, not this. */
function missedSince(s: Standing, at: Date): Date | null {
  const missed = [s.overdueSince, s.dueAt]
    .filter((d): d is string => d !== null)
    .map((d) => new Date(d))
    .filter((d) => d < at);
  return missed.length ? new Date(Math.min(...missed.map((d) => d.getTime()))) : null;
}

/** The deadline it was given, before any climb moved the one in force on. */
const firstDeadline = (s: Standing) => s.overdueSince ?? s.dueAt;

const when = (instant: string | null) => (instant ? chineseDateTime(instant) : '无');

const isOverdueAt = (s: Standing, at: Date) => isUndone(s) && missedSince(s, at) !== null;

function daysOverdue(s: Standing, at: Date): number {
  const since = missedSince(s, at);
  return since ? Math.floor((at.getTime() - since.getTime()) / DAY_MS) : 0;
}

function byCode<T extends { code: string; name: string }>(list: T[]): (code: string) => string {
  const names = new Map(list.map((x) => [x.code, x.name]));
  return (code) => names.get(code) ?? code;
}

const sortBy = <T>(list: T[], ...keys: Array<(x: T) => string | number>): T[] =>
  [...list].sort((a, b) => {
    for (const k of keys) {
      const x = k(a);
      const y = k(b);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });

/** What moved during the period: created in it, completed in it, and the state at its end. */
function movement(f: ReportFacts) {
  const before = new Map(f.start.map((s) => [s.id, s]));
  const created = f.end.filter((s) => !before.has(s.id));
  const completed = f.end.filter((s) => s.status === 'completed' && before.get(s.id)?.status !== 'completed');
  const undone = f.end.filter(isUndone);
  const overdue = undone.filter((s) => isOverdueAt(s, f.asOf));
  return { created, completed, undone, overdue };
}

function rungTally(f: ReportFacts): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const r of RUNGS.slice(1)) tally[`rung${r.rung}`] = f.rungEntries.filter((e) => e.rung === r.rung).length;
  return tally;
}

const LADDER_LINE = (t: Record<string, number>) =>
  RUNGS.slice(1).map((r) => [`${['一', '二', '三', '四'][r.rung - 1]}${r.name}`, t[`rung${r.rung}`]]);

function overdueRows(items: Standing[], at: Date, unitName: (c: string) => string, groupName?: (c: string) => string) {
  return sortBy(
    items,
    (s) => -daysOverdue(s, at),
    (s) => s.id,
  ).map((s) => [
    ...(groupName ? [groupName(s.group ?? '')] : []),
    unitName(s.unit),
    s.title,
    missedSince(s, at) ? chineseDateTime(missedSince(s, at)!) : '',
    daysOverdue(s, at),
    rungName(s.rung),
  ]);
}

function groupWeekly(
  f: ReportFacts,
  group: string,
): Omit<ReportContent, 'type' | 'title' | 'period' | 'periodName' | 'asOf'> {
  const unitName = byCode(f.units);
  const g = f.groups.find((x) => x.code === group);
  const mine = (list: Standing[]) => list.filter((s) => s.kind === 'meeting_item' && s.group === group);
  const m = movement({ ...f, start: mine(f.start), end: mine(f.end) });
  const due = mine(f.end).filter((s) => {
    const d = firstDeadline(s);
    return d !== null && new Date(d) >= f.period.from && new Date(d) < f.period.to;
  });
  const row = (s: Standing) => [
    unitName(s.unit),
    s.title,
    when(firstDeadline(s)),
    s.status === 'completed' ? '已办结' : isUndone(s) ? '未办结' : '已终止',
    rungName(s.rung),
  ];
  const columns = ['责任单位', '事项', '办理时限', '状态', '督办层级'];
  const meetings = f.meetings.filter((x) => x.group === group);
  return {
    scope: group,
    scopeName: g?.name ?? group,
    summary: {
      meetings: meetings.length,
      deployed: m.created.length,
      due: due.length,
      done: m.completed.length,
      overdue: m.overdue.length,
    },
    sections: [
      {
        heading: '本周例会',
        columns: ['日期', '参会人员', '纪要', '部署事项数'],
        rows: meetings.map((x) => [chineseDate(x.date), x.attendees.join('、'), x.minutes, x.items]),
        note: meetings.length ? undefined : '本周未录入例会',
      },
      {
        heading: '本周部署事项',
        columns,
        rows: sortBy(
          m.created,
          (s) => s.unit,
          (s) => s.id,
        ).map(row),
      },
      {
        heading: '本周到期事项',
        columns,
        rows: sortBy(
          due,
          (s) => s.dueAt ?? '',
          (s) => s.id,
        ).map(row),
      },
      {
        heading: '本周办结事项',
        columns,
        rows: sortBy(
          m.completed,
          (s) => s.unit,
          (s) => s.id,
        ).map(row),
      },
      {
        heading: '久拖未完成事项',
        columns: ['责任单位', '事项', '办理时限', '逾期天数', '督办层级'],
        rows: overdueRows(m.overdue, f.asOf, unitName),
      },
    ],
    missingInputs: [],
  };
}

function officeWeekly(f: ReportFacts) {
  const unitName = byCode(f.units);
  const items = (list: Standing[]) => list.filter((s) => s.kind === 'meeting_item');
  const m = movement({ ...f, start: items(f.start), end: items(f.end) });
  const perGroup = sortBy(f.groups, (g) => g.code).map((g) => {
    const meetings = f.meetings.filter((x) => x.group === g.code);
    const count = (list: Standing[]) => list.filter((s) => s.group === g.code).length;
    return [
      g.name,
      meetings.length ? meetings.map((x) => `${chineseDate(x.date)}：${x.minutes}`).join('；') : '未报送',
      count(m.created),
      count(m.completed),
      count(m.overdue),
    ];
  });
  const byUnit = new Map<string, number>();
  for (const s of m.overdue) byUnit.set(s.unit, (byUnit.get(s.unit) ?? 0) + 1);
  return {
    scope: OFFICE_SCOPE,
    scopeName: '营商环境建设工作领导小组办公室',
    summary: {
      meetings: f.meetings.length,
      groupsReported: new Set(f.meetings.map((x) => x.group)).size,
      deployed: m.created.length,
      done: m.completed.length,
      overdue: m.overdue.length,
    },
    sections: [
      {
        heading: '各工作组报送情况',
        columns: ['工作组', '例会纪要', '新部署', '本周办结', '久拖未完成'],
        rows: perGroup,
      },
      {
        heading: '久拖未完成事项（按责任单位）',
        columns: ['责任单位', '件数'],
        rows: sortBy(
          [...byUnit],
          ([, n]) => -n,
          ([u]) => u,
        ).map(([u, n]) => [unitName(u), n]),
      },
    ],
    missingInputs: [],
  };
}

/** A unit's rating for the month: the worst colour among what it still has open at the month's end. */
function unitColor(open: Standing[]): Color {
  if (open.some((s) => s.color === 'red')) return 'red';
  if (open.some((s) => s.color === 'yellow')) return 'yellow';
  return 'blue';
}

function districtBulletin(f: ReportFacts) {
  const unitName = byCode(f.units);
  const m = movement(f);
  const tally = rungTally(f);
  const units = new Set([...m.undone.map((s) => s.unit), ...m.completed.map((s) => s.unit)]);
  const unitRows = sortBy(
    [...units].map((u) => {
      const open = m.undone.filter((s) => s.unit === u);
      const rungs = [0, 1, 2, 3, 4].map((r) => open.filter((s) => s.rung === r).length);
      return {
        u,
        colour: unitColor(open),
        open: open.length,
        overdue: m.overdue.filter((s) => s.unit === u).length,
        done: m.completed.filter((s) => s.unit === u).length,
        rungs,
      };
    }),
    (r) => ({ red: 0, yellow: 1, blue: 2 })[r.colour],
    (r) => -r.open,
    (r) => r.u,
  );
  const colors = { blue: 0, yellow: 0, red: 0 };
  for (const r of unitRows) colors[r.colour]++;
  const ranks = new Map(f.ranks.map((r) => [r.indicator, r]));
  const indicatorRows = sortBy(f.indicators, (i) => i.code).map((i) => {
    const r = ranks.get(i.code);
    return [i.name, unitName(i.leadUnit), r ? `${r.rank}/${r.of}` : '未录入', r ? COLOR_NAMES[r.colour] : '—'];
  });
  const redList = sortBy(
    m.undone.filter((s) => s.rung >= 2),
    (s) => -s.rung,
    (s) => s.dueAt ?? '',
    (s) => s.id,
  );
  return {
    scope: OFFICE_SCOPE,
    scopeName: '全区',
    summary: {
      open: m.undone.length,
      overdue: m.overdue.length,
      completed: m.completed.length,
      redUnits: colors.red,
      yellowUnits: colors.yellow,
      blueUnits: colors.blue,
      redIndicators: f.ranks.filter((r) => r.colour === 'red').length,
      ...tally,
    },
    sections: [
      {
        heading: '本月督办层级变化（一督办、二挂牌、三约谈、四问责）',
        columns: ['层级', '本月新增'],
        rows: LADDER_LINE(tally),
      },
      {
        heading: '挂牌督办清单（挂牌及以上）',
        columns: ['责任单位', '事项', '督办层级', '办理时限'],
        rows: redList.map((s) => [unitName(s.unit), s.title, rungName(s.rung), when(s.dueAt)]),
        note: redList.length ? undefined : '本月末无挂牌及以上事项',
      },
      {
        heading: '各单位蓝黄红评价',
        columns: ['单位', '评价', '未办结', '逾期', '本月办结', '提醒', '督办', '挂牌', '约谈', '问责'],
        rows: unitRows.map((r) => [unitName(r.u), COLOR_NAMES[r.colour], r.open, r.overdue, r.done, ...r.rungs]),
      },
      { heading: '考核指标位次', columns: ['指标', '牵头单位', '位次', '评价'], rows: indicatorRows },
      ...(f.scores ? honourRoll(f.scores) : []),
    ],
    missingInputs: f.indicators.length > 0 && f.ranks.length === 0 ? ['indicator_ranks'] : [],
  };
}

const SCORE_COLUMNS = [
  '名次',
  '单位',
  '得分',
  ...METRICS.map((m) => METRIC_NAMES[m]),
  '督办层级（督办/挂牌/约谈/问责）',
];
const scoreRow = (u: UnitScore) => [
  u.rank ?? '—',
  u.name,
  u.score ?? '—',
  ...METRICS.map((m) =>
    u.metrics[m].rate === null ? '—' : `${percent(u.metrics[m].rate)}（${fraction(u.metrics[m])}）`,
  ),
  u.metrics.rungs.slice(1).join('/'),
];

/**
 * 红黑榜: the five best and the five worst scores of the month (a unit on the red list is not also
 * on the black one), then every unit's score and rank with the figures behind them.
 */
function honourRoll(s: NonNullable<ReportFacts['scores']>): ReportSection[] {
  const scored = s.units.filter((u) => u.score !== null);
  const red = scored.slice(0, 5);
  const black = scored.slice(Math.max(red.length, scored.length - 5)).reverse();
  const formula = `计分公式：${s.formulaText}${s.recomputed ? `（${s.recomputed}）` : ''}`;
  return [
    {
      heading: '红黑榜·红榜（综合得分前五名）',
      columns: ['名次', '单位', '得分'],
      rows: red.map((u) => [u.rank!, u.name, u.score!]),
      note: red.length ? formula : '本月无可计分的单位',
    },
    {
      heading: '红黑榜·黑榜（综合得分后五名）',
      columns: ['名次', '单位', '得分'],
      rows: black.map((u) => [u.rank!, u.name, u.score!]),
      note: black.length ? formula : '本月可计分的单位不足以列出黑榜',
    },
    {
      heading: '各单位综合评分及排名',
      columns: SCORE_COLUMNS,
      rows: s.units.map(scoreRow),
      note: `${formula}；“—”表示本月无可计数的事项`,
    },
  ];
}

function workReport(f: ReportFacts) {
  const m = movement(f);
  const tally = rungTally(f);
  const kinds = sortBy([...new Set([...m.created, ...m.completed, ...m.undone].map((s) => s.kind))], (k) => k);
  const count = (list: Standing[], k: string) => list.filter((s) => s.kind === k).length;
  return {
    scope: OFFICE_SCOPE,
    scopeName: '全区',
    summary: {
      created: m.created.length,
      completed: m.completed.length,
      open: m.undone.length,
      overdue: m.overdue.length,
      ...tally,
    },
    sections: [
      {
        heading: '各类事项办理情况',
        columns: ['类别', '本月新增', '本月办结', '月末未办结', '月末逾期'],
        rows: kinds.map((k) => [
          KINDS[k]?.name ?? k,
          count(m.created, k),
          count(m.completed, k),
          count(m.undone, k),
          count(m.overdue, k),
        ]),
      },
      { heading: '本月督办层级变化', columns: ['层级', '本月新增'], rows: LADDER_LINE(tally) },
    ],
    missingInputs: [],
  };
}

function overdueItems(f: ReportFacts) {
  const unitName = byCode(f.units);
  const groupName = byCode(f.groups);
  const overdue = movement(f).overdue.filter((s) => s.kind === 'meeting_item');
  return {
    scope: OFFICE_SCOPE,
    scopeName: '全区',
    summary: { overdue: overdue.length, units: new Set(overdue.map((s) => s.unit)).size },
    sections: [
      {
        heading: '周例会部署事项久拖未完成清单',
        columns: ['工作组', '责任单位', '事项', '办理时限', '逾期天数', '督办层级'],
        rows: overdueRows(overdue, f.asOf, unitName, groupName),
        note: overdue.length ? undefined : '本月末无久拖未完成事项',
      },
    ],
    missingInputs: [],
  };
}

function taskList(f: ReportFacts) {
  const unitName = byCode(f.units);
  const units = sortBy([...new Set(f.end.map((s) => s.unit))], (u) => u);
  const rows = units.map((u) => {
    const all = f.end.filter((s) => s.unit === u);
    const done = all.filter((s) => s.status === 'completed').length;
    const closed = all.filter((s) => !isUndone(s)).length;
    const overdue = all.filter((s) => isOverdueAt(s, f.asOf)).length;
    return [
      unitName(u),
      all.length,
      done,
      all.length - closed,
      overdue,
      all.length ? `${Math.round((closed / all.length) * 1000) / 10}%` : '—',
    ];
  });
  const completed = f.end.filter((s) => s.status === 'completed').length;
  return {
    scope: OFFICE_SCOPE,
    scopeName: '全区',
    summary: {
      tasks: f.end.length,
      completed,
      open: f.end.filter(isUndone).length,
      overdue: f.end.filter((s) => isOverdueAt(s, f.asOf)).length,
    },
    sections: [
      {
        heading: '各单位任务完成情况（截至月末累计）',
        columns: ['单位', '任务数', '已办结', '未办结', '逾期', '完成率'],
        rows,
      },
    ],
    missingInputs: [],
  };
}

function satisfaction(f: ReportFacts) {
  const unitName = byCode(f.units);
  const contacts = f.end.filter((s) => s.kind === 'enterprise_contact');
  const m = movement({ ...f, start: f.start.filter((s) => s.kind === 'enterprise_contact'), end: contacts });
  const input = f.satisfaction;
  return {
    scope: OFFICE_SCOPE,
    scopeName: '全区',
    summary: {
      ...(input?.overall !== undefined && { overall: input.overall }),
      ...(input?.respondents !== undefined && { respondents: input.respondents }),
      surveyedUnits: input?.units.length ?? 0,
      enterprisesContacted: m.completed.length,
      contactsOverdue: m.overdue.length,
    },
    sections: [
      {
        heading: '企业满意度调查得分',
        columns: ['单位', '得分', '样本数'],
        rows: sortBy(
          input?.units ?? [],
          (u) => -u.score,
          (u) => u.unit,
        ).map((u) => [unitName(u.unit), u.score, u.respondents ?? '']),
        note: input ? undefined : '本月调查结果尚未录入（由督导落实组在“报告”页录入）',
      },
      {
        heading: '新注册企业匹配服务（72小时内联系）',
        columns: ['本月联系办结', '月末逾期未联系'],
        rows: [[m.completed.length, m.overdue.length]],
      },
    ],
    missingInputs: input ? [] : ['satisfaction'],
  };
}

function clues(f: ReportFacts) {
  const unitName = byCode(f.units);
  const title = new Map(f.end.map((s) => [s.id, s.title]));
  const referred = sortBy(
    f.rungEntries.filter((e) => e.rung >= 3),
    (e) => e.at,
    (e) => e.id,
  );
  const entered = f.clues?.clues ?? [];
  return {
    scope: OFFICE_SCOPE,
    scopeName: '全区',
    summary: {
      bright: entered.filter((c) => c.type === '亮优').length,
      short: entered.filter((c) => c.type === '揭短').length,
      interviews: referred.filter((e) => e.rung === 3).length,
      referrals: referred.filter((e) => e.rung === 4).length,
    },
    sections: [
      {
        heading: '亮优揭短线索',
        columns: ['类型', '单位', '线索', '详情', '来源'],
        rows: entered.map((c) => [c.type, unitName(c.unit), c.title, c.detail ?? '', c.source ?? '']),
        note: f.clues ? undefined : '本月线索尚未录入（由督导落实组在“报告”页录入）',
      },
      {
        heading: '本月约谈、问责移送事项',
        columns: ['日期', '单位', '事项', '层级'],
        rows: referred.map((e) => [chineseDate(e.at), unitName(e.unit), title.get(e.id) ?? '', rungName(e.rung)]),
      },
    ],
    missingInputs: f.clues ? [] : ['clues'],
  };
}

/** A report's content for its period and scope (a group's code for `group_weekly`, else `office`). */
export function buildReport(type: ReportType, scope: string, f: ReportFacts): ReportContent {
  const body =
    type === 'group_weekly'
      ? groupWeekly(f, scope)
      : type === 'office_weekly'
        ? officeWeekly(f)
        : type === 'district_bulletin'
          ? districtBulletin(f)
          : type === 'work_report'
            ? workReport(f)
            : type === 'overdue_items'
              ? overdueItems(f)
              : type === 'task_list'
                ? taskList(f)
                : type === 'satisfaction'
                  ? satisfaction(f)
                  : clues(f);
  // A group's name already ends in 组: 业务推进组周例会部署事项清单, not …组工作组周例会….
  const title =
    REPORT_TYPES[type].scope === 'group'
      ? `${describePeriod(f.period)}${body.scopeName}${body.scopeName.endsWith('组') ? REPORT_TYPES[type].title.replace(/^工作组/, '') : REPORT_TYPES[type].title}`
      : `${describePeriod(f.period)}${REPORT_TYPES[type].title}`;
  return {
    type,
    title,
    period: f.period.text,
    periodName: describePeriod(f.period),
    asOf: toShanghaiIso(f.asOf),
    ...body,
  };
}

/** What the inputs a report lacks are called, for people. */
export const INPUT_NAMES: Record<string, string> = {
  indicator_ranks: '考核指标位次',
  satisfaction: '企业满意度调查结果',
  clues: '“亮优揭短”线索',
};

const REPORT_NUMBER_PREFIX: Record<ReportType, string> = {
  group_weekly: '组例',
  office_weekly: '营转纪',
  district_bulletin: '营商通',
  work_report: '营商报',
  overdue_items: '久拖报',
  task_list: '任务报',
  satisfaction: '满意报',
  clues: '线索报',
};

/** What a printed report carries besides its tables: 发文机关, 文号, 落款, 印发日期. */
export interface ReportPrintMeta {
  issuer: string;
  /** 营商通〔2026〕第11期: one issue per type and period, so regenerating keeps the number. */
  number: string;
  subtitle: string;
  notes: string[];
  signature: string;
  /** 印发日期. */
  date: string;
}

export function reportPrintMeta(r: ReportContent, generatedAt: string): ReportPrintMeta {
  const [year, part] = r.period.split(/-W?/);
  return {
    issuer: ISSUING_OFFICE,
    number: `${REPORT_NUMBER_PREFIX[r.type]}〔${year}〕第${Number(part)}期`,
    subtitle: `统计期间：${r.periodName}\u3000统计截至：${chineseDateTime(r.asOf)}`,
    notes: r.missingInputs.length
      ? [`尚缺数据：${r.missingInputs.map((m) => INPUT_NAMES[m] ?? '其他录入数据').join('、')}`]
      : [],
    signature: SIGNATURE,
    date: chineseDate(generatedAt),
  };
}

/** An ISO instant left in a stored cell (reports generated before the Chinese formatter), written for people. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
export const cellText = (v: string | number) =>
  typeof v === 'string' && ISO_INSTANT.test(v) ? chineseDateTime(v) : String(v);

/** The report as a printable Chinese HTML document (A4). */
export function renderReportHtml(r: ReportContent, generatedAt: string): string {
  const meta = reportPrintMeta(r, generatedAt);
  const table = (s: ReportSection) =>
    s.rows.length === 0
      ? `<p class="empty">${escapeHtml(s.note ?? '无')}</p>`
      : `<table><thead><tr>${s.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${s.rows
          .map((row) => `<tr>${row.map((v) => `<td>${escapeHtml(cellText(v))}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>${s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : ''}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>
<style>${PRINT_CSS}
h1{font-size:18pt}h2{font-size:14pt;margin:1em 0 .3em}.meta{text-align:center;font-size:12pt;text-indent:0}.empty,.note{font-size:12pt;color:#333;text-indent:0}
</style></head><body>
<p class="issuer">${escapeHtml(meta.issuer)}</p>
<p class="number">${escapeHtml(meta.number)}</p>
<hr class="red">
<h1>${escapeHtml(r.title)}</h1>
<p class="meta">${escapeHtml(meta.subtitle)}</p>
${meta.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')}
${r.sections.map((s) => `<section><h2>${escapeHtml(s.heading)}</h2>${table(s)}</section>`).join('\n')}
<div class="sign"><p>${escapeHtml(meta.signature)}</p><p>印发日期：${escapeHtml(meta.date)}</p></div>
</body></html>`;
}
