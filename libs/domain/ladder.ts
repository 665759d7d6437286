// 一督办、二挂牌、三约谈、四问责: the rungs an overdue obligation climbs (seed 三(四)).
export const RUNGS = [
  { rung: 0, name: '提醒', action: 'remind', document: '重要工作提示单' },
  { rung: 1, name: '督办', action: 'supervise', document: '督办通知单' },
  { rung: 2, name: '挂牌', action: 'list', document: '挂牌督办公告' },
  { rung: 3, name: '约谈', action: 'interview', document: '约谈记录' },
  { rung: 4, name: '问责', action: 'hold_accountable', document: '问题线索移送函' },
] as const;

export type Rung = (typeof RUNGS)[number]['rung'];
export type ClimbingRung = Exclude<Rung, 0>;
export const TOP_RUNG = 4;

export function rungName(rung: Rung): string {
  return RUNGS[rung].name;
}
