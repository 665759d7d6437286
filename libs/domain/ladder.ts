// 一督办、二挂牌、三约谈、四问责: the rungs an overdue obligation climbs (seed 三(四)).
export const RUNGS = [
  { rung: 0, name: '提醒', action: 'remind' },
  { rung: 1, name: '督办', action: 'supervise' },
  { rung: 2, name: '挂牌', action: 'list' },
  { rung: 3, name: '约谈', action: 'interview' },
  { rung: 4, name: '问责', action: 'hold_accountable' },
] as const;

export type Rung = (typeof RUNGS)[number]['rung'];
export const TOP_RUNG: Rung = 4;

export function rungName(rung: Rung): string {
  return RUNGS[rung].name;
}
