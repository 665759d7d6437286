import { withinDeadline } from '../infrastructure/dependency-down';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { IndicatorState } from '../../../../libs/domain/indicator';
import { parseInstant, toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import { INDICATOR_WORKFLOW, indicatorStateQuery, rankUpdate } from '../../../../libs/contracts/indicator';
import type { indicatorWorkflow } from '../../../../workflows/indicator';
import type { Principal } from '../auth/principal';
import { errorBody } from '../http-errors';
import { obligationIdOf } from '../../../../libs/shared/obligation-id';
import { OrganisationService } from './organisation.service';

export interface RankInput {
  month: string;
  rank: number;
  of: number;
  bulletinAt?: string;
}

/** Each indicator's monthly ranks: one workflow per indicator (indicator-<code>), started by its first rank. */
@Injectable()
export class IndicatorRanksService {
  constructor(
    @Inject(Client) private readonly temporal: Client,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly organisation: OrganisationService,
  ) {}

  private async indicator(code: string) {
    const found = (await this.organisation.indicators()).find((i) => i.code === code);
    if (!found)
      throw new NotFoundException(
        errorBody(404, '未找到该考核指标', [{ field: 'code', reason: '没有这个指标（见 GET /v1/indicators）' }]),
      );
    return found;
  }

  async record(code: string, input: RankInput, by: Principal): Promise<IndicatorState> {
    const indicator = await this.indicator(code);
    const bulletinAt = toShanghaiIso(input.bulletinAt ? parseInstant(input.bulletinAt)! : new Date());
    try {
      return await this.bounded(() =>
        this.temporal.workflow.executeUpdateWithStart(rankUpdate, {
          args: [
            {
              month: input.month,
              rank: input.rank,
              of: input.of,
              bulletinAt,
              by: { role: by.role, unit: by.unit, name: by.name },
              reportObligationId: obligationIdOf(`indicator-report:${code}:${input.month}`),
              episodeObligationId: obligationIdOf(`indicator-episode:${code}:${input.month}`),
            },
          ],
          startWorkflowOperation: new WithStartWorkflowOperation<typeof indicatorWorkflow>(INDICATOR_WORKFLOW, {
            workflowId: `indicator-${code}`,
            taskQueue: this.config.TEMPORAL_TASK_QUEUE,
            args: [
              {
                indicator: { code, name: indicator.name, leadUnit: indicator.leadUnit },
                year: Number(input.month.slice(0, 4)),
              },
            ],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      );
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'CommandRefused') {
        throw new ConflictException(errorBody(409, cause.message, [{ field: 'month', reason: cause.message }]));
      }
      throw err;
    }
  }

  /** Ends by the command deadline: Temporal down is a 503, never a hang (dependency-down.ts). */
  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withinDeadline((d, fn) => this.temporal.withDeadline(d, fn), this.config.DUBAN_COMMAND_TIMEOUT_MS, call);
  }

  async state(code: string): Promise<IndicatorState> {
    await this.indicator(code);
    try {
      return await this.bounded(() => this.temporal.workflow.getHandle(`indicator-${code}`).query(indicatorStateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new NotFoundException(
          errorBody(404, '该指标尚未录入位次', [{ field: 'code', reason: '尚未录入任何月份' }]),
        );
      throw err;
    }
  }
}
