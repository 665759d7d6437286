import type { Rung } from './ladder';

// 蓝黄红 three-colour rating (seed 三(四)).
export type Colour = 'blue' | 'yellow' | 'red';

/**
 * blue: on track; yellow: a reminder has fired or the obligation is under 督办 (rung 1);
 * red: publicly listed or worse (挂牌 and above, rung ≥ 2).
 */
export function colourOf(rung: Rung, reminded: boolean): Colour {
  if (rung >= 2) return 'red';
  if (rung === 1 || reminded) return 'yellow';
  return 'blue';
}
