import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { recordRank, refusalToRecordRank, type IndicatorState } from '../libs/domain/indicator';
import { indicatorStateQuery, rankUpdate, type IndicatorStart } from '../libs/contracts/indicator';
import { KINDS } from '../libs/domain/kinds';
import { workflowIdOf, type ObligationInput } from '../libs/domain/obligation';
import type { LadderPolicy } from '../libs/domain/policy';
import type { WorkerActivities } from '../activities/worker-activities';
import { systemCommandSignal } from '../libs/contracts/obligation';
import { obligationTypeToStart } from './obligation';

const { recordIndicatorRank } = proxyActivities<WorkerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// The episode climbs only with the months: its own clock is set beyond any month's reach.
const EPISODE_POLICY: LadderPolicy = {
  deadline: 'P400D',
  remind: [],
  rungs: [{ rung: 1, grace: 'P400D' }, { rung: 2, grace: 'P400D' }, { rung: 3, grace: 'P400D' }, { rung: 4 }],
};

/** One assessment indicator's monthly ranks, one run per year. */
export async function indicatorWorkflow(start: IndicatorStart): Promise<void> {
  let state: IndicatorState = start.resume ?? {
    ...start.indicator,
    months: [],
    redStreak: 0,
    episode: null,
    episodes: 0,
  };
  let nextYear: number | null = null;

  const obligation = (id: string, over: Partial<ObligationInput>): ObligationInput => ({
    id,
    key: '',
    kind: 'indicator_rank',
    title: '',
    unit: state.leadUnit,
    startAt: '',
    dueAt: null,
    policy: KINDS.indicator_rank.policy,
    by: null,
    ...over,
  });
  const startObligation = (input: ObligationInput) =>
    startChild(obligationTypeToStart(), {
      workflowId: workflowIdOf(input.id),
      args: [{ open: input }],
      // The obligations outlive this run: continue-as-new must not end them.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });

  setHandler(indicatorStateQuery, () => state);
  setHandler(
    rankUpdate,
    async (c) => {
      const { state: next, step } = recordRank(state, c, c.episodeObligationId);
      const episode = state.episode ?? next.episode;
      state = next;
      // Added after the first histories: the monthly bulletin reads the ranks from Postgres.
      if (patched('indicator-rank-read-model')) {
        const { colour } = state.months.at(-1)!;
        await recordIndicatorRank({
          indicator: state.code,
          month: c.month,
          rank: c.rank,
          of: c.of,
          colour,
          bulletinAt: c.bulletinAt,
        });
      }
      await startObligation(
        obligation(c.reportObligationId, {
          key: `indicator-report:${state.code}:${c.month}`,
          title: `“${state.name}”${c.month}位次情况报送（第${c.rank}名）`,
          startAt: c.bulletinAt,
          by: c.by,
        }),
      );
      if (step?.type === 'open') {
        await startObligation(
          obligation(c.episodeObligationId, {
            key: `indicator-episode:${state.code}:${c.month}`,
            title: step.reason,
            startAt: c.bulletinAt,
            policy: EPISODE_POLICY,
            by: c.by,
          }),
        );
      }
      if (step && episode) {
        await getExternalWorkflowHandle(workflowIdOf(episode.obligationId)).signal(systemCommandSignal, {
          type: step.type === 'close' ? 'withdrawal' : 'escalation',
          reason: step.reason,
          by: c.by,
        });
      }
      if (Number(c.month.slice(0, 4)) > start.year) nextYear = Number(c.month.slice(0, 4));
      return state;
    },
    {
      validator: (c) => {
        const refusal = refusalToRecordRank(state, c);
        if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'CommandRefused');
      },
    },
  );

  await condition(() => nextYear !== null && allHandlersFinished());
  await continueAsNew<typeof indicatorWorkflow>({ indicator: start.indicator, year: nextYear!, resume: state });
}
