import type { Rung } from './ladder';

// 蓝黄红 three-colour rating (seed 三(四)).
export type Color = 'blue' | 'yellow' | 'red';

export const COLOR_NAMES: Record<Color, string> = { blue: '蓝', yellow: '黄', red: '红' };

/**
 * The one rule for an obligation's colour:
 * - blue: on track, or settled (办结/免责/撤回 — nothing left to chase);
 * - yellow: a reminder for the deadline in force has fired, or it is under 督办 (rung 1);
 * - red: publicly listed or worse (挂牌 and above, rung ≥ 2).
 */
export function colorOf(rung: Rung, reminded: boolean, settled = false): Color {
  if (settled) return 'blue';
  if (rung >= 2) return 'red';
  if (rung === 1 || reminded) return 'yellow';
  return 'blue';
}
