import { parseDurationSpec, type DurationSpec, type FieldProblem } from './duration';
import type { Rung } from './ladder';
import { parseInstant } from './time';

/** A deadline as a length from the start, or a fixed instant (e.g. the 20th of the month). */
export type DeadlineSpec = DurationSpec | { at: string /* ISO-8601 instant with offset */ };

/** Entering a rung sets the next deadline to now + grace; the top rung (4, 问责) has none. */
export interface RungStep {
  rung: 1 | 2 | 3 | 4;
  grace?: DurationSpec;
}

/**
 * A check at a clock time after the obligation starts (新注册企业: 15:00 and 18:00 on the day of
 * the push, 08:00 the next working day): `day` counts working days after the start's date, 0 the
 * same date. Checks run for the first deadline only, and only those before it.
 */
export interface ClockCheck {
  check: string; // HH:MM, Asia/Shanghai
  day: number;
}

export type RemindSpec = DurationSpec | ClockCheck;

export function isClockCheck(r: RemindSpec): r is ClockCheck {
  return typeof r === 'object' && 'check' in r;
}

/** The ladder policy of API.md: the deadline, reminders before it, each rung's grace. */
export interface LadderPolicy {
  deadline: DeadlineSpec;
  /** Reminders (重要工作提示单) before the deadline in force, whichever it is, and clock checks. */
  remind: RemindSpec[];
  /** Exactly rungs 1..4, in order. */
  rungs: RungStep[];
  /** 签收: the unit signs for the obligation within this of its assignment; absent, no receipt step. */
  receipt?: DurationSpec;
  /** After a rejected verification or a refused request, the unit has at least this much left. */
  rework?: DurationSpec;
  /** 回访: the supervision office calls the requester back within this of 销号 (a 回访 duty); absent, no duty. */
  callback?: DurationSpec;
}

type Parsed<T> = { value?: T; problems: FieldProblem[] };
type PolicyResult = { policy?: LadderPolicy; problems: FieldProblem[] };

const POLICY_FIELDS = ['deadline', 'remind', 'rungs', 'receipt', 'rework', 'callback'];
const DURATION_FIELDS = ['receipt', 'rework', 'callback'] as const;
const STEP_FIELDS = ['rung', 'grace'];
const TOP = 4;
// More would be noise to the unit, not supervision.
const MAX_REMINDERS = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unknownFields(value: Record<string, unknown>, known: string[], field: string): FieldProblem[] {
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => ({ field: `${field}.${k}`, reason: '不是可接受的字段' }));
}

function copySpec(d: DurationSpec): DurationSpec {
  return typeof d === 'string' ? d : { workingDays: d.workingDays };
}

function copyPolicy(p: LadderPolicy): LadderPolicy {
  const deadline = typeof p.deadline === 'object' && 'at' in p.deadline ? { at: p.deadline.at } : copySpec(p.deadline);
  return {
    deadline,
    remind: p.remind.map((r) => (isClockCheck(r) ? { check: r.check, day: r.day } : copySpec(r))),
    rungs: p.rungs.map((s) => (s.grace === undefined ? { rung: s.rung } : { rung: s.rung, grace: copySpec(s.grace) })),
    // Absent stays absent: a policy of an old history has neither, and must read back as it was.
    ...(p.receipt !== undefined && { receipt: copySpec(p.receipt) }),
    ...(p.rework !== undefined && { rework: copySpec(p.rework) }),
    ...(p.callback !== undefined && { callback: copySpec(p.callback) }),
  };
}

/**
 * receipt, rework and callback: optional durations; absent means no receipt step, the default
 * rework grace, and no 回访 duty.
 */
function parseOptionalDurations(
  raw: Record<string, unknown>,
): Parsed<Pick<LadderPolicy, 'receipt' | 'rework' | 'callback'>> {
  const value: Pick<LadderPolicy, 'receipt' | 'rework' | 'callback'> = {};
  const problems: FieldProblem[] = [];
  for (const field of DURATION_FIELDS) {
    if (raw[field] === undefined) continue;
    const parsed = parseDurationSpec(raw[field], `policy.${field}`);
    problems.push(...parsed.problems);
    if (parsed.value) value[field] = parsed.value;
  }
  return { value, problems };
}

function parseDeadline(value: unknown, field: string): Parsed<DeadlineSpec> {
  if (value === undefined) return { problems: [{ field, reason: '必填' }] };
  if (isRecord(value) && 'at' in value) {
    const extra = unknownFields(value, ['at'], field);
    if (extra.length) return { problems: extra };
    const at = value.at;
    return typeof at === 'string' && parseInstant(at)
      ? { value: { at }, problems: [] }
      : {
          problems: [
            {
              field: `${field}.at`,
              reason: '须为带时区的 ISO-8601 日期时间，例如 2026-11-27T18:00:00+08:00',
            },
          ],
        };
  }
  if (typeof value !== 'string' && !(isRecord(value) && 'workingDays' in value)) {
    return {
      problems: [
        {
          field,
          reason:
            'must be an ISO-8601 duration such as PT72H, { "workingDays": n } or { "at": "<date-time with offset>" }',
        },
      ],
    };
  }
  return parseDurationSpec(value, field);
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

function parseClockCheck(value: Record<string, unknown>, field: string): Parsed<RemindSpec> {
  const problems = unknownFields(value, ['check', 'day'], field);
  if (typeof value.check !== 'string' || !CLOCK.test(value.check))
    problems.push({ field: `${field}.check`, reason: '须为时刻 HH:MM（北京时间）' });
  if (!Number.isInteger(value.day) || (value.day as number) < 0 || (value.day as number) > 30) {
    problems.push({ field: `${field}.day`, reason: '须为交办后第 0 至 30 个工作日（整数）' });
  }
  return problems.length
    ? { problems }
    : { value: { check: value.check as string, day: value.day as number }, problems };
}

// Absent means no reminders.
function parseRemind(value: unknown, field: string): Parsed<RemindSpec[]> {
  if (value === undefined) return { value: [], problems: [] };
  if (!Array.isArray(value))
    return {
      problems: [{ field, reason: '须为期限前的时长数组，或 { "check": "HH:MM", "day": n }' }],
    };
  if (value.length > MAX_REMINDERS) return { problems: [{ field, reason: `最多 ${MAX_REMINDERS} 条提醒` }] };
  const parsed = value.map((v, i) =>
    isRecord(v) && 'check' in v ? parseClockCheck(v, `${field}[${i}]`) : parseDurationSpec(v, `${field}[${i}]`),
  );
  const problems = parsed.flatMap((p) => p.problems);
  return problems.length ? { problems } : { value: parsed.map((p) => p.value!), problems };
}

/** One { rung, grace } entry; `field` is its path, e.g. policy.rungs[2]. */
function parseStep(value: unknown, field: string): Parsed<RungStep> & { rung?: RungStep['rung'] } {
  if (!isRecord(value)) return { problems: [{ field, reason: '须为对象 { "rung": n, "grace": <时长> }' }] };
  const problems = unknownFields(value, STEP_FIELDS, field);
  const rung = value.rung;
  if (rung !== 1 && rung !== 2 && rung !== 3 && rung !== 4) {
    return { problems: [...problems, { field: `${field}.rung`, reason: '须为 1、2、3 或 4' }] };
  }
  if (rung === TOP) {
    if (value.grace !== undefined)
      problems.push({
        field: `${field}.grace`,
        reason: '不应填写：第4级（问责）是最高一级，之后没有下一级',
      });
    return problems.length ? { rung, problems } : { rung, value: { rung }, problems };
  }
  if (value.grace === undefined)
    return { rung, problems: [...problems, { field: `${field}.grace`, reason: '第1至3级须填写宽限' }] };
  const grace = parseDurationSpec(value.grace, `${field}.grace`);
  problems.push(...grace.problems);
  return problems.length ? { rung, problems } : { rung, value: { rung, grace: grace.value! }, problems };
}

function parseRungs(value: unknown, field: string): Parsed<RungStep[]> {
  if (value === undefined) return { problems: [{ field, reason: '必填：第1至4级，及第1至3级的宽限' }] };
  if (!Array.isArray(value)) return { problems: [{ field, reason: '须为 { "rung", "grace" } 的数组' }] };
  const steps = value.map((v, i) => parseStep(v, `${field}[${i}]`));
  const problems = steps.flatMap((s) => s.problems);
  if (steps.every((s) => s.rung !== undefined) && steps.map((s) => s.rung).join() !== '1,2,3,4') {
    problems.push({ field, reason: '须按顺序各列一次第1、2、3、4级' });
  }
  return problems.length ? { problems } : { value: steps.map((s) => s.value!), problems };
}

/** Validates a whole policy; each problem names its field (policy.deadline, policy.remind[0], policy.rungs[2].grace). */
export function parsePolicy(raw: unknown): PolicyResult {
  if (!isRecord(raw)) return { problems: [{ field: 'policy', reason: '须为对象 { "deadline", "remind", "rungs" }' }] };
  const deadline = parseDeadline(raw.deadline, 'policy.deadline');
  const remind = parseRemind(raw.remind, 'policy.remind');
  const rungs = parseRungs(raw.rungs, 'policy.rungs');
  const durations = parseOptionalDurations(raw);
  const problems = [
    ...unknownFields(raw, POLICY_FIELDS, 'policy'),
    ...deadline.problems,
    ...remind.problems,
    ...rungs.problems,
    ...durations.problems,
  ];
  return problems.length
    ? { problems }
    : {
        policy: { deadline: deadline.value!, remind: remind.value!, rungs: rungs.value!, ...durations.value },
        problems,
      };
}

/**
 * A kind's default policy with an obligation's override on top. Any of deadline, remind and rungs
 * may be given: deadline and remind replace the default's; rungs are matched by number, so
 * `{ rungs: [{ rung: 1, grace: 'P1D' }] }` changes only 督办's grace. Field paths are those of the
 * override as sent (policy.rungs[0].grace). `base` is trusted (a kind's default).
 */
export function resolvePolicy(base: LadderPolicy, override: unknown): PolicyResult {
  if (override === undefined || override === null) return { policy: copyPolicy(base), problems: [] };
  if (!isRecord(override))
    return { problems: [{ field: 'policy', reason: '须为含 "deadline"、"remind"、"rungs" 中任意几项的对象' }] };
  const merged = copyPolicy(base);
  const problems = unknownFields(override, POLICY_FIELDS, 'policy');

  if (override.deadline !== undefined) {
    const deadline = parseDeadline(override.deadline, 'policy.deadline');
    problems.push(...deadline.problems);
    if (deadline.value) merged.deadline = deadline.value;
  }
  if (override.remind !== undefined) {
    const remind = parseRemind(override.remind, 'policy.remind');
    problems.push(...remind.problems);
    if (remind.value) merged.remind = remind.value;
  }
  const durations = parseOptionalDurations(override);
  problems.push(...durations.problems);
  Object.assign(merged, durations.value);
  if (override.rungs !== undefined) {
    if (!Array.isArray(override.rungs)) {
      problems.push({ field: 'policy.rungs', reason: '须为 { "rung", "grace" } 的数组' });
    } else {
      const seen = new Set<number>();
      override.rungs.forEach((raw, i) => {
        const step = parseStep(raw, `policy.rungs[${i}]`);
        problems.push(...step.problems);
        if (step.rung !== undefined && seen.has(step.rung)) {
          problems.push({ field: `policy.rungs[${i}].rung`, reason: `第${step.rung}级重复出现` });
        }
        if (step.rung !== undefined) seen.add(step.rung);
        if (step.value) merged.rungs = merged.rungs.map((s) => (s.rung === step.value!.rung ? step.value! : s));
      });
    }
  }
  return problems.length ? { problems } : { policy: merged, problems: [] };
}

/** The grace of a rung: undefined for rung 0 (not on the ladder yet) and the top rung. */
export function graceOf(policy: LadderPolicy, rung: Rung): DurationSpec | undefined {
  return policy.rungs.find((s) => s.rung === rung)?.grace;
}
