import {
  Inject,
  Injectable,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import { PinoLogger } from 'nestjs-pino';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import { RHYTHM_JOBS, RHYTHM_WORKFLOW, type RhythmJob } from '../../../../libs/contracts/rhythm';
import { errorBody } from '../http-errors';
import { DirectTemporalClient } from '../infrastructure/temporal-client';

const TIMEZONE = 'Asia/Shanghai';
const RETRY_MS = 5_000;

export interface ScheduleView {
  name: RhythmJob;
  title: string;
  scheduleId: string;
  /** When it runs, in Chinese. */
  when: string;
  timezone: string;
  paused: boolean;
  nextRuns: string[];
  recentRuns: Array<{ scheduledAt: string; takenAt: string; workflowId: string }>;
}

/**
 * The office's rhythm as Temporal Schedules, created (or brought up to date) when the API starts.
 * A run missed while the Temporal server was down is caught up within a week, in order; while
 * only the worker is down, the runs wait on the task queue and nothing is lost.
 */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private ensured: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    // Its own loop retries; nothing of the SDK's is left in flight at shutdown.
    @Inject(DirectTemporalClient) private readonly temporal: DirectTemporalClient,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly logger: PinoLogger,
  ) {}

  private plan(): Record<RhythmJob, { spec: ScheduleSpec; when: string }> {
    const c = this.config;
    return {
      weekly: {
        spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 9 }], timezone: TIMEZONE },
        when: '每周一 09:00（上周）',
      },
      'district-bulletin': {
        spec: { calendars: [{ dayOfMonth: c.DUBAN_BULLETIN_DAY, hour: 9 }], timezone: TIMEZONE },
        when: `每月${c.DUBAN_BULLETIN_DAY}日 09:00（上月）`,
      },
      'discipline-reports': {
        spec: { calendars: [{ dayOfMonth: c.DUBAN_DISCIPLINE_REPORTS_DAY, hour: 10 }], timezone: TIMEZONE },
        when: `每月${c.DUBAN_DISCIPLINE_REPORTS_DAY}日 10:00（上月）`,
      },
      'problem-reports': {
        spec: { calendars: [{ dayOfMonth: 20, hour: 8, minute: 30 }], timezone: TIMEZONE },
        when: '每月20日 08:30（当月未报送问题材料的牵头单位）',
      },
    };
  }

  /** Schedule ids name the task queue, so deployments (and test runs) sharing a namespace keep their own. */
  scheduleId(job: RhythmJob): string {
    return `${this.config.TEMPORAL_TASK_QUEUE}-${job}`;
  }

  private options(job: RhythmJob): ScheduleOptions {
    return {
      scheduleId: this.scheduleId(job),
      spec: this.plan()[job].spec,
      action: {
        type: 'startWorkflow',
        workflowType: RHYTHM_WORKFLOW,
        args: [{ job }],
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        workflowId: this.scheduleId(job),
      },
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: '7 days' },
      memo: { title: RHYTHM_JOBS[job].name },
    };
  }

  private async ensureAll(): Promise<void> {
    for (const job of Object.keys(RHYTHM_JOBS) as RhythmJob[]) {
      const options = this.options(job);
      try {
        await this.temporal.schedule.create(options);
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        // Started before: bring its timing and action up to this configuration.
        await this.temporal.schedule.getHandle(options.scheduleId).update((previous) => ({
          ...previous,
          spec: options.spec,
          action: options.action,
          policies: options.policies,
        }));
      }
    }
  }

  /** Resolves once every schedule exists; a failed attempt is tried again by the next caller. */
  ensure(): Promise<void> {
    this.ensured ??= this.ensureAll().catch((err) => {
      this.ensured = undefined;
      throw err;
    });
    return this.ensured;
  }

  onApplicationBootstrap(): void {
    // Temporal may still be starting: keep trying in the background rather than hold up the API.
    const attempt = () =>
      this.ensure().then(
        () => this.logger.info({ schedules: Object.keys(RHYTHM_JOBS) }, 'rhythm schedules in place'),
        (err: Error) => {
          this.logger.warn({ err: err.message }, 'rhythm schedules not yet in place; trying again');
          this.retry = setTimeout(attempt, RETRY_MS);
        },
      );
    void attempt();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
  }

  private job(name: string): RhythmJob {
    if (!(name in RHYTHM_JOBS)) {
      throw new NotFoundException(
        errorBody(404, '没有这项定时任务', [
          { field: 'name', reason: `须为以下之一：${Object.keys(RHYTHM_JOBS).join('、')}` },
        ]),
      );
    }
    return name as RhythmJob;
  }

  async list(): Promise<ScheduleView[]> {
    await this.ensure();
    const plan = this.plan();
    return Promise.all(
      (Object.keys(RHYTHM_JOBS) as RhythmJob[]).map(async (name) => {
        const d = await this.temporal.schedule.getHandle(this.scheduleId(name)).describe();
        return {
          name,
          title: RHYTHM_JOBS[name].name,
          scheduleId: d.scheduleId,
          when: plan[name].when,
          timezone: TIMEZONE,
          paused: d.state.paused,
          nextRuns: d.info.nextActionTimes.map((t) => toShanghaiIso(t)),
          recentRuns: d.info.recentActions.map((a) => ({
            scheduledAt: toShanghaiIso(a.scheduledAt),
            takenAt: toShanghaiIso(a.takenAt),
            workflowId: a.action.workflow.workflowId,
          })),
        };
      }),
    );
  }

  /** Runs a schedule now (catch-up by hand); the run reports on the period just ended. */
  async trigger(name: string): Promise<{ name: RhythmJob; scheduleId: string; triggeredAt: string }> {
    const job = this.job(name);
    await this.ensure();
    await this.temporal.schedule.getHandle(this.scheduleId(job)).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    return { name: job, scheduleId: this.scheduleId(job), triggeredAt: toShanghaiIso(new Date()) };
  }
}
