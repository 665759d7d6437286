import type { Color } from './color';
import type { Actor } from './obligation';

// The monthly rank of an assessment indicator in the city (保五争三奔第一): top 3 blue, 4–5
// yellow, below 5 red. Each red month in a row climbs the indicator's lead unit one rung; a month
// back in the top 5 ends that episode.

export interface RankEntry {
  month: string; // YYYY-MM
  rank: number;
  of: number;
  /** When the city's bulletin came out: the lead unit reports within 2 days of it. */
  bulletinAt: string;
  by: Actor | null;
}

export interface MonthRank extends RankEntry {
  colour: Color;
}

export interface IndicatorState {
  code: string;
  name: string;
  leadUnit: string;
  months: MonthRank[];
  /** Red months in a row up to the latest. */
  redStreak: number;
  /** The obligation of the running red episode, if any. */
  episode: { obligationId: string; since: string } | null;
  episodes: number;
}

/** What a new month asks the workflow to do besides recording it. */
export type EpisodeStep =
  { type: 'open'; reason: string } | { type: 'climb'; reason: string } | { type: 'close'; reason: string } | null;

export function rankColor(rank: number): Color {
  if (rank <= 3) return 'blue';
  if (rank <= 5) return 'yellow';
  return 'red';
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function refusalToRecordRank(state: IndicatorState, e: Pick<RankEntry, 'month' | 'rank' | 'of'>): string | null {
  if (!MONTH.test(e.month)) return `月份格式应为 YYYY-MM：${e.month}`;
  if (!Number.isInteger(e.of) || e.of < 1 || !Number.isInteger(e.rank) || e.rank < 1 || e.rank > e.of)
    return `位次应在 1 到 ${e.of} 之间`;
  const last = state.months.at(-1);
  if (last && e.month <= last.month) return `${e.month} 不晚于已录入的 ${last.month}，不能重复或倒序录入`;
  return null;
}

export function recordRank(
  state: IndicatorState,
  e: RankEntry,
  episodeId: string,
): { state: IndicatorState; step: EpisodeStep } {
  const colour = rankColor(e.rank);
  const months = [...state.months, { ...e, colour }];
  const place = `${e.month}全市第${e.rank}名（共${e.of}个）`;
  if (colour === 'red') {
    const redStreak = state.redStreak + 1;
    if (!state.episode) {
      return {
        state: {
          ...state,
          months,
          redStreak,
          episode: { obligationId: episodeId, since: e.month },
          episodes: state.episodes + 1,
        },
        step: { type: 'open', reason: `“${state.name}”指标${place}，位次靠后` },
      };
    }
    return {
      state: { ...state, months, redStreak },
      step: { type: 'climb', reason: `“${state.name}”指标连续${redStreak}个月位次靠后，${place}` },
    };
  }
  if (state.episode) {
    return {
      state: { ...state, months, redStreak: 0, episode: null },
      step: { type: 'close', reason: `“${state.name}”指标${place}，回到全市前五，本轮督办结束` },
    };
  }
  return { state: { ...state, months, redStreak: 0 }, step: null };
}
