import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { callbackDutyStarter, fulfilCallbackDuty } from '../../activities/callback-duty';
import { recordClimb } from '../../activities/climb';
import { DeadlineActivities } from '../../activities/deadline';
import type { IndicatorRankRecord } from '../../activities/reports';
import { lapseObligationId } from '../../activities/standing-duty';
import type { WorkerActivities } from '../../activities/worker-activities';
import type { DeadlineRequest } from '../../libs/domain/deadline';
import { rungDocumentKey, type ObligationState } from '../../libs/domain/obligation';
import { createLogger, installTemporalLogging } from '../../libs/shared/logging';
import { startTimeSkippingServer } from '../../libs/shared/temporal/servers';

/**
 * A real time-skipping test server for each test; call at the top level, read `.env` in tests.
 * One server for a whole file hung at times: after some tests (a run resumed by update-with-start
 * among them) the server's clock stood still, and a later env.sleep never returned (1 in 5 runs of
 * the 回访 file, the enterprise checks now and then). A test on a fresh server never did.
 */
export function useTimeSkippingServer(): { env: TestWorkflowEnvironment } {
  const holder = {} as { env: TestWorkflowEnvironment };
  beforeAll(() => installTemporalLogging(createLogger('test', 'warn')));
  beforeEach(async () => {
    holder.env = await startTimeSkippingServer();
  });
  afterEach(async () => {
    await holder.env?.teardown();
  });
  return holder;
}

/** What the workflows asked of the Postgres-facing activities, kept so tests can count every action. */
export interface Effects {
  /** The deadlines the workflows asked to have planned. */
  plans: DeadlineRequest[];
  records: ObligationState[];
  /** `<obligationId>:<rung>` → how many times its document was issued. */
  documents: Map<string, number>;
  /** The idempotency keys of the rung announcements, in the order they were sent. */
  announced: string[];
  reminders: string[];
  ranks: IndicatorRankRecord[];
}

type LadderActivities = Omit<
  WorkerActivities,
  'generateReports' | 'owedProblemReports' | 'nextDigestTime' | 'sendDailyDigest'
>;

/** The real deadline activity; the ladder's others replaced by ones that keep what they were asked. */
export function recordingActivities(): { fx: Effects; activities: LadderActivities } {
  const fx: Effects = { plans: [], records: [], documents: new Map(), announced: [], reminders: [], ranks: [] };
  const issue = (obligation: ObligationState, rung: number) => {
    const key = rungDocumentKey(obligation, rung);
    fx.documents.set(key, (fx.documents.get(key) ?? 0) + 1);
    return { kind: 'notice' as const, number: `No.${rung}`, title: `rung ${rung}` };
  };
  const deadline = new DeadlineActivities();
  const activities: LadderActivities = {
    planDeadline: (req) => {
      fx.plans.push(req);
      return deadline.planDeadline(req);
    },
    planResumption: (req) => deadline.planResumption(req),
    recordObligation: async (s) => {
      fx.records.push(s);
      return s;
    },
    recordObligationSteps: async (steps) => {
      fx.records.push(...steps);
      return steps;
    },
    // Before `exactly-once-ladder` one activity stored and announced; since, two.
    issueRungDocument: async ({ obligation, rung }) => {
      fx.announced.push(`${obligation.id}:${rung}`);
      return issue(obligation, rung);
    },
    storeRungDocument: async ({ obligation, rung }) => issue(obligation, rung),
    // The real composition, of the parts above: a climb's plan, document and records are counted as theirs.
    recordClimb: (req) => recordClimb(activities, req),
    announceRung: async ({ obligation, rung }) => void fx.announced.push(`${obligation.id}:${rung}`),
    storeUrgeNotice: async ({ n }) => ({
      number: `督催〔2026〕第${String(n).padStart(4, '0')}号`,
      title: '催办通知书',
    }),
    announceUrge: async ({ obligation, n }) => void fx.announced.push(`${obligation.id}:urge:${n}`),
    sendReminder: async ({ remindAt }) => void fx.reminders.push(remindAt),
    recordIndicatorRank: async (r) => void fx.ranks.push(r),
    lapseObligationId,
    // The real ones: they start and signal the duty's workflow through the worker's client (its
    // deadline planned by the planDeadline above, so counted with the rest).
    startCallbackDuty: callbackDutyStarter(async (req) => activities.planDeadline(req)),
    fulfilCallbackDuty,
  };
  return { fx, activities };
}
