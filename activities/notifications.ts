import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { DubanConfig } from '../libs/shared/config';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';
import { drainChannel, dueChannels, enqueue, feedRecordedEvents } from '../libs/shared/notify/delivery';
import type { NotifyEvent } from '../libs/domain/notifications';

/**
 * The worker's sender: a loop that finds channels with messages due and drains each on a
 * connection of its own holding the channel's advisory lock, so any number of workers share the
 * work and one sender at a time decides what a robot is sent (within its rate, merging a backlog).
 * Postgres rather than a workflow per robot: the queue is rows the delivery log reads anyway, a
 * robot's rate is a window of timestamps in its row, and nothing of it grows a history.
 */
@Injectable()
export class NotificationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource(WORKER_DATABASE) private readonly db: DataSource,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    @Optional() private readonly logger?: PinoLogger,
  ) {}

  /** Queues an event's deliveries (idempotent on its key); the ladder's activities call this. */
  enqueue(event: NotifyEvent): Promise<number> {
    return enqueue((t, p) => this.db.query(t, p), event, this.config.DUBAN_PUBLIC_URL);
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: Error) => this.logger?.warn({ err: err.message }, 'notification sender tick failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.config.DUBAN_NOTIFY_POLL_MS);
        });
    };
    this.timer = setTimeout(tick, this.config.DUBAN_NOTIFY_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: the recorded events queued, then every due channel drained, at most four at once. */
  async tick(): Promise<void> {
    await feedRecordedEvents((t, p) => this.db.query(t, p), this.config.DUBAN_PUBLIC_URL);
    const due = await dueChannels((t, p) => this.db.query(t, p), Date.now());
    const queue = [...due];
    const work = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const runner = this.db.createQueryRunner();
        await runner.connect();
        try {
          await drainChannel({ sql: (t, p) => runner.query(t, p), release: () => runner.release() }, name);
        } catch (err) {
          this.logger?.warn({ channel: name, err: (err as Error).message }, 'channel drain failed');
        } finally {
          await runner.release();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, work));
  }
}
