import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { DEGRADED_AFTER_FAILURES } from '../../../../libs/domain/notifications';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { Public } from '../auth/roles.decorator';
import { CalendarService } from '../reference/calendar.service';
import { DirectTemporalClient } from '../infrastructure/temporal-client';

const PROBE_TIMEOUT_MS = 2_000;
// /health is public and polled: its size must not grow with what obligations hold.
const MAX_LISTED_YEARS = 10;

interface Dependency {
  up: boolean;
  error?: string;
}

async function probe(check: () => Promise<unknown>): Promise<Dependency> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { up: true };
  } catch (err) {
    return { up: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(DirectTemporalClient) private readonly temporal: DirectTemporalClient,
    private readonly calendar: CalendarService,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'the API, Temporal and Postgres are reachable' })
  @ApiServiceUnavailableResponse({ description: 'Temporal or Postgres is not reachable' })
  async health(@Res({ passthrough: true }) res: Response) {
    const [postgres, temporal] = await Promise.all([
      probe(() => this.db.query('SELECT 1')),
      probe(() => this.temporal.workflowService.getSystemInfo({})),
    ]);
    const up = postgres.up && temporal.up;
    res.status(up ? 200 : 503);
    // Deadlines in a year without official data are computed on weekends only: say so, still 200.
    const missing = postgres.up ? await this.calendar.missingYears().catch(() => []) : [];
    const listed = missing.slice(0, MAX_LISTED_YEARS);
    const more = missing.length - listed.length;
    const calendar = {
      missingYears: listed,
      ...(more > 0 && { missingYearsTotal: missing.length }),
      warnings: [
        ...listed.map((y) => `calendar data missing for ${y}`),
        ...(more > 0 ? [`calendar data missing for ${more} more years (GET /v1/calendar lists them)`] : []),
      ],
    };
    // A failing channel degrades notifications, not the service: still 200, its messages wait.
    const failing: Array<{
      name: string;
      type: string;
      failures: number;
      failing_since: Date | null;
      last_error: string | null;
    }> = postgres.up
      ? await this.db
          .query(
            `SELECT name, type, failures, failing_since, last_error FROM notification_channel
                WHERE enabled AND failures >= $1 ORDER BY name LIMIT ${MAX_LISTED_YEARS}`,
            [DEGRADED_AFTER_FAILURES],
          )
          .catch(() => [])
      : [];
    const notifications = {
      status: failing.length > 0 ? 'degraded' : 'ok',
      failingChannels: failing.map((c) => ({
        name: c.name,
        type: c.type,
        failures: c.failures,
        since: c.failing_since ? toShanghaiIso(c.failing_since) : null,
        error: c.last_error,
      })),
    };
    return { status: up ? 'ok' : 'unavailable', postgres, temporal, calendar, notifications };
  }
}
