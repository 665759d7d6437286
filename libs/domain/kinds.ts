import { creditCodeProblem } from './credit-code';
import type { FieldProblem } from './duration';
import type { ObligationKind } from './obligation';
import type { LadderPolicy, RungStep } from './policy';

/** An obligation kind of the seed, with its default ladder policy and the clause it comes from. */
export interface KindDefinition {
  kind: ObligationKind;
  /** Chinese, shown to users. */
  name: string;
  description: string;
  /** The seed clause the deadline comes from, quoted (牟平区优化营商环境工作组织架构调整方案, 2023-07-20). */
  source: string;
  policy: LadderPolicy;
  /** The unit told when the last clock check finds the obligation still open (城市运行中心). */
  reportAfterChecks?: string;
}

// The graces are the office's defaults, not seed facts: the seed names the rungs (三(四)
// "一督办、二挂牌、三约谈、四问责") but not how long each lasts. 3 working days to rectify after
// a 督办通知单, 5 after 挂牌 and after 约谈; 问责 is the top and has none. Fresh arrays per kind,
// so no caller can change another kind's default through a shared reference.
function ladder(): RungStep[] {
  return [
    { rung: 1, grace: { workingDays: 3 } },
    { rung: 2, grace: { workingDays: 5 } },
    { rung: 3, grace: { workingDays: 5 } },
    { rung: 4 },
  ];
}

// 签收 (receipt) limits follow 12345 practice, not the seed (it names no receipt step): local
// 12345 work-order rules under the State Council's guidance (国办发〔2020〕53号, 优化地方政务服务
// 便民热线) commonly require the handling unit to sign for a dispatched order within 2 hours of its
// dispatch (urgent ones sooner), and letter-type matters (网上民声, 依申请公开) within 1 working day
// of their forwarding. Kinds the system starts itself (monthly reports, indicator ranks, new
// media) and the enterprise pushes, whose 72 hours run from the push, have no receipt step.
// `rework` is the office's default: after a rejected verification or a refused request the unit
// has at least 1 working day (hours-long kinds: 24 hours) to put it right.
const oneWorkingDay = () => ({ workingDays: 1 });

// Reminders are the office's defaults too: the seed only says the supervisors issue
// 《重要工作提示单》 (三(二)), not when.
export const KINDS: Record<ObligationKind, KindDefinition> = {
  enterprise_contact: {
    kind: 'enterprise_contact',
    name: '新注册企业匹配服务',
    description:
      '区行政审批局每周一、周三上午推送新注册企业名单，牵头服务部门72小时内与企业建立联系，并将责任科室、责任人、联系方式、联系时间、联系记录录入“政企通”平台；区城市运行中心当日15时、18时和次日8时三次查看催办。',
    // Seed 二(七)1(2): 72 hours, exact clock time. 二(七)1(3): the operations centre checks at 15:00
    // and 18:00 on the day of the push and 08:00 the next (working) day, reminding the unit each
    // time; after the third, units still without contact are reported to it (reportAfterChecks).
    source:
      '二(七)1(2)：牵头服务部门负责做好“政企通”企业综合服务平台的填报工作,确保 72 小时内与企业建立联系,并将联系信息(包括:责任科室、责任人、联系方式、联系时间、联系记录)录入平台',
    policy: {
      deadline: 'PT72H',
      remind: [
        { check: '15:00', day: 0 },
        { check: '18:00', day: 0 },
        { check: '08:00', day: 1 },
      ],
      rungs: ladder(),
      rework: 'PT24H',
    },
    reportAfterChecks: 'district-city-operations',
  },
  work_order: {
    kind: 'work_order',
    name: '12345“政企通”工单',
    description:
      '通过12345便民热线办理系统转发的涉企工单：联系诉求人、解决诉求，并在规定时间内回复区城市运行中心，禁止超期回复。',
    // Seed 二(七)2(2)⑥ gives no length ("规定时间" is the hotline's own limit, which comes with each
    // ticket as dueAt). Where a ticket carries none: 5 working days, the seed's limit for the closest
    // analogue, the online public message (二(五)5), and a common 12345 limit for ordinary requests.
    source: '二(七)2(2)⑥：“政企通”工单需实现一次办好,避免重办,必须在规定时间内回复,禁止超期回复、超期未回复',
    policy: {
      deadline: { workingDays: 5 },
      remind: [{ workingDays: 1 }],
      rungs: ladder(),
      receipt: 'PT2H',
      rework: oneWorkingDay(),
      // 回访: the seed measures 企业满意度回访 (one of the 9 indicators, 一) and wants work orders
      // "一次办好，避免重办" (二(七)2(2)⑥), so every 销号 is followed by a call-back duty of the
      // supervision office. 3 working days is the office's default (the seed gives no length).
      callback: { workingDays: 3 },
    },
  },
  disclosure_request: {
    kind: 'disclosure_request',
    name: '依申请公开办件',
    description: '收到依申请公开办件（纸质申请、网上申请）后及时报备区政府办政务公开科，并在20个工作日内答复。',
    // Seed 二(五)5: 20 working days.
    source: '二(五)5：收到依申请公开办件(纸质申请、网上申请)的,及时报备区政府办政务公开科,在20个工作日内进行答复',
    policy: {
      deadline: { workingDays: 20 },
      remind: [{ workingDays: 3 }],
      rungs: ladder(),
      receipt: oneWorkingDay(),
      rework: oneWorkingDay(),
    },
  },
  public_message: {
    kind: 'public_message',
    name: '网上民声办件',
    description: '收到网上民声办件后在5个工作日内规范答复；区直机关工委分发并督促。',
    // Seed 二(五)5 and 二(五)8: 5 working days.
    source: '二(五)5：收到网上民声办件的,要在5个工作日内进行规范答复',
    policy: {
      deadline: { workingDays: 5 },
      remind: [{ workingDays: 1 }],
      rungs: ladder(),
      receipt: oneWorkingDay(),
      rework: oneWorkingDay(),
    },
  },
  meeting_item: {
    kind: 'meeting_item',
    name: '周例会部署事项',
    description: '各工作组周例会部署的事项，逾期未完成即为“久拖未完成”，每月报区纪委监委专班办。',
    // Seed 三(一) and 二(一)1(5): each item is deployed with its own due date (dueAt or { at });
    // the default is a week, until the next weekly meeting.
    source:
      '三(一)：每周各工作组要自行召开1次内部周例会…并形成本组《周例会纪要》报综合协调组；二(一)1(5)：负责每月向区纪委监委专班办提供…《营商环境每周例会部署事项久拖未完成情况》',
    policy: { deadline: 'P7D', remind: [{ workingDays: 1 }], rungs: ladder(), rework: oneWorkingDay() },
  },
  indicator_rank: {
    kind: 'indicator_rank',
    name: '考核指标月度位次报送',
    description:
      '市级月度考核通报下发后，各指标牵头部门在2日内将上月该指标工作完成情况报综合协调组；位次靠后的逐月升级督办。',
    // Seed 三(四): "2日内" of the city's bulletin, calendar days, so P2D from the bulletin.
    source:
      '三(四)：各牵头部门(单位)要细化考核办法,强化调度推进,在市级通报下发后2日内将上月该指标工作完成情况报综合协调组',
    policy: { deadline: 'P2D', remind: ['PT24H'], rungs: ladder(), rework: oneWorkingDay() },
  },
  monthly_report: {
    kind: 'monthly_report',
    name: '每月20日前问题报送',
    description: '各牵头部门和单位将工作存在问题形成书面材料，于每月20日前通过市协同办公系统报综合协调组。',
    // Seed 三(二): by the 20th, so each obligation is started with { at } the 20th; P20D is only
    // the fallback for one started without it (from the 1st of the month it lands on the 21st 00:00).
    source: '三(二)：将工作存在问题形成书面材料于每月20日前通过市协同办公系统报综合协调组',
    policy: { deadline: 'P20D', remind: [{ workingDays: 2 }], rungs: ladder(), rework: oneWorkingDay() },
  },
  new_media: {
    kind: 'new_media',
    name: '政务新媒体更新',
    description: '政务新媒体10天内更新内容、14天内至少发布1篇原创内容。',
    // Seed 二(五)3: update within 10 days (P10D, here). The 14-day original-post rule is a separate
    // obligation of this kind, started with the override { "deadline": "P14D" }.
    source: '二(五)3：严格落实10天内更新内容、14天内至少发布1篇原创内容及互动交流功能的配备和运行情况',
    policy: { deadline: 'P10D', remind: ['P2D'], rungs: ladder(), rework: oneWorkingDay() },
  },
  // The two below are 常态化工作 (libs/domain/standing-duty.ts): a month's quota missed becomes an
  // obligation of the kind, with its `rework` grace to put it right before the first rung. The
  // deadline is only the fallback for one a supervisor starts by hand (the month's end).
  publicity_quota: {
    kind: 'publicity_quota',
    name: '宣传报送定额',
    description: '各责任单位每月至少在可计分媒体发稿1篇，并报送2条新闻线索；当月未达定额即转为督办事项。',
    // Seed 二(九)4: per month, per responsible unit of the publicity group.
    source:
      '二(九)4：各责任单位负责上报新闻线索、新闻稿件及亮点工作等宣传素材。每月至少在可计分媒体发稿1篇,并报送2条新闻线索',
    policy: { deadline: 'P30D', remind: [{ workingDays: 2 }], rungs: ladder(), rework: oneWorkingDay() },
  },
  data_catalogue: {
    kind: 'data_catalogue',
    name: '共享目录数据更新',
    description:
      '各责任单位在区信息资源共享交换平台上传的每个目录下挂载至少20条数据，并按目录规定的更新周期更新；到期未更新即转为督办事项。',
    // Seed 二(三)4: each catalogue's own update cycle; the seed's duties count a monthly update.
    source:
      '二(三)4：各责任单位负责规范在区信息资源共享交换平台所上传的目录的格式,对不符合规范的目录及时整改,确保每个目录下挂载至少20条数据,按照目录规定的更新周期进行更新',
    policy: { deadline: 'P30D', remind: [{ workingDays: 2 }], rungs: ladder(), rework: oneWorkingDay() },
  },
  callback_duty: {
    kind: 'callback_duty',
    name: '回访',
    description:
      '工单办结销号后，督查室在规定时限内回访诉求人，记录满意、基本满意或不满意；不满意且不接受解释的，工单自动重办。',
    // Started by the workflow at 销号 where the obligation's policy has `callback` (its deadline is
    // that duration from the 销号); this default deadline only serves one started by hand.
    source:
      '二(七)2(2)⑥：“政企通”工单需实现一次办好,避免重办；二(八)1：负责做好“存量在营企业服务工作指标”和“企业满意度回访指标”有关工作',
    policy: { deadline: { workingDays: 3 }, remind: [{ workingDays: 1 }], rungs: ladder(), rework: oneWorkingDay() },
  },
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What a kind requires of an obligation's `subject`; each problem names its field. */
export function subjectProblems(kind: ObligationKind, subject: Record<string, unknown> | undefined): FieldProblem[] {
  if (kind === 'meeting_item') return meetingProblems(subject);
  if (kind === 'work_order')
    return subject && typeof subject.ticketNumber !== 'string'
      ? [{ field: 'subject.ticketNumber', reason: '工单须写明工单编号（subject.ticketNumber）' }]
      : [];
  if (kind !== 'enterprise_contact') return [];
  if (!subject) return [{ field: 'subject', reason: '新注册企业联系须写明企业名称、统一社会信用代码和注册日期' }];
  const problems: FieldProblem[] = [];
  if (typeof subject.enterpriseName !== 'string' || !subject.enterpriseName.trim())
    problems.push({ field: 'subject.enterpriseName', reason: '必填' });
  const creditCode = typeof subject.creditCode === 'string' ? creditCodeProblem(subject.creditCode) : '必填';
  if (creditCode) problems.push({ field: 'subject.creditCode', reason: creditCode });
  if (typeof subject.registeredOn !== 'string' || !DAY.test(subject.registeredOn))
    problems.push({ field: 'subject.registeredOn', reason: '须为日期 YYYY-MM-DD' });
  return problems;
}

/** A 新注册企业 contact is completed with the five facts the seed names (二(七)1(2)). */
export function completionProblems(kind: ObligationKind, contact: unknown): FieldProblem[] {
  if (kind !== 'enterprise_contact') return [];
  const facts = (contact ?? {}) as Record<string, unknown>;
  if (CONTACT_FACTS.every((f) => typeof facts[f] === 'string' && (facts[f] as string).trim() !== '')) return [];
  return [
    {
      field: 'contact',
      reason: '新注册企业的办结须写明五项联系情况：科室、责任人、联系方式、联系时间、联系记录',
    },
  ];
}

const CONTACT_FACTS = ['department', 'person', 'phone', 'contactedAt', 'record'] as const;

/** A weekly-meeting item names the meeting that deployed it (三(一)). */
function meetingProblems(subject: Record<string, unknown> | undefined): FieldProblem[] {
  if (!subject) return [{ field: 'subject', reason: '周例会部署事项须写明工作组、会议日期和纪要文号' }];
  const problems: FieldProblem[] = [];
  if (typeof subject.group !== 'string' || !subject.group)
    problems.push({ field: 'subject.group', reason: '须写明部署该事项的工作组' });
  if (typeof subject.meetingDate !== 'string' || !DAY.test(subject.meetingDate))
    problems.push({ field: 'subject.meetingDate', reason: '须为日期 YYYY-MM-DD' });
  return problems;
}
