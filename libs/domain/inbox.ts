// The 待办 inbox: which recorded events reach whom, and how they read. A unit is told what was
// asked of it and what was decided about it; the supervisors, what awaits their decision.

export const UNIT_EVENTS: Record<string, string> = {
  opened: '新交办事项',
  completion_rejected: '核验未通过，退回重办',
  completion_accepted: '核验通过，已办结销号',
  extension_approved: '延期申请已同意',
  extension_refused: '延期申请未同意',
  exemption_approved: '免责申请已同意',
  exemption_refused: '免责申请未同意',
  rung_entered: '逾期升级',
  reopened: '重办',
  withdrawn: '已撤回',
  callback_recorded: '回访结果',
  // 并单: the duplicate's unit is told it was merged, and of the main one's outcome.
  merged_into: '已并单，由主事项一并办理',
  main_settled: '并单的主事项已结束',
};

export const SUPERVISOR_EVENTS: Record<string, string> = {
  completion_submitted: '提交办结，待核验',
  extension_requested: '申请延期，待审批',
  exemption_requested: '申请免责，待审批',
  return_requested: '申请退回，待审核',
  suspension_requested: '申请挂起，待审批',
};

/**
 * The request a supervisor's item stands for, by its event type: the item awaits them while that
 * request is the obligation's newest of its kind and undecided (a completion: while it is submitted).
 */
export const AWAITED_REQUEST: Record<string, { status: string } | { requests: string }> = {
  completion_submitted: { status: 'submitted' },
  extension_requested: { requests: 'extensions' },
  exemption_requested: { requests: 'exemptions' },
  return_requested: { requests: 'returns' },
  suspension_requested: { requests: 'suspensions' },
};

/** The events a reader's inbox holds, by the reader's role. */
export function inboxEvents(role: string): Record<string, string> {
  return role === 'department' ? UNIT_EVENTS : role === 'supervisor' ? SUPERVISOR_EVENTS : {};
}

/** What an item says beyond its label: the reason given, the rung entered, the new deadline. */
export function inboxDetail(type: string, data: Record<string, unknown> | null): string | null {
  const d = data ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  switch (type) {
    case 'rung_entered':
      return typeof d.name === 'string' ? `进入第${String(d.rung)}级“${d.name}”` : null;
    case 'completion_submitted':
      return text(d.summary);
    case 'extension_requested':
      return text(d.plan);
    case 'exemption_requested':
      return text(d.explanation);
    case 'main_settled':
      return typeof d.number === 'string' ? `主事项${d.number}《${String(d.title)}》` : null;
    default:
      return text(d.comment) ?? text(d.reason);
  }
}
