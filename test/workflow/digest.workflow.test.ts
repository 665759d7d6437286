import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import schedule from 'chinese-days/dist/chinese-days.json';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeadlineActivities } from '../../activities/deadline';
import { DigestActivities } from '../../activities/digest';
import { ReadModelActivities } from '../../activities/read-model';
import { ReportActivities } from '../../activities/reports';
import { RungActionActivities } from '../../activities/rung-actions';
import { workerActivities } from '../../activities/worker-activities';
import { chinaCalendar } from '../../libs/domain/calendar';
import { nextDigestAt } from '../../libs/domain/digest';
import { shanghaiDate } from '../../libs/domain/duration';
import { toShanghaiIso } from '../../libs/domain/time';
import { dataSourceOptions, migrate, WORKER_DATABASE } from '../../libs/shared/database/data-source';
import { saveCalendarOverride } from '../../libs/shared/database/calendar-overrides';
import { LogNotifier } from '../../libs/shared/notifier';
import { drainChannel } from '../../libs/shared/notify/delivery';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import { digestWorkflow } from '../../workflows/digest';
import { startWecomRobot, type Receiver } from '../support/channel-receivers';
import { adminQuery, withDatabase } from '../support/postgres';
import { testLogger } from '../support/service';
import { useTimeSkippingServer } from '../support/time-skipping';

// Two weeks of the daily digest on the time-skipping server, with the real activities, a database
// of its own and a WeCom robot that checks what it is sent: one digest per working day at 08:30,
// none on a weekend or on a holiday the admin's official schedule declares.
const DAY = 24 * 3600_000;
const server = useTimeSkippingServer();
const database = `duban_digest_${process.pid}_${Date.now()}`;
const url = withDatabase(inject('databaseUrl'), database);
const UNIT = 'district-power-supply';
let db: DataSource;
let robot: Receiver;

beforeAll(async () => {
  await adminQuery(inject('databaseUrl'), `CREATE DATABASE ${database}`);
  await migrate(url);
  db = await new DataSource(dataSourceOptions(url, `${WORKER_DATABASE}-digest`)).initialize();
  robot = await startWecomRobot();
});

afterAll(async () => {
  await db?.destroy();
  await robot?.close();
  await adminQuery(inject('databaseUrl'), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('the daily digest', () => {
  it(
    'goes to the unit’s liaison at 08:30 on working days, none on weekends or a declared holiday',
    { timeout: 120_000 },
    async () => {
      const sql = (t: string, p?: unknown[]) => db.query(t, p);
      const start = new Date(await server.env.currentTimeMs());
      // A working day within the fortnight declared a holiday in this year's official schedule.
      const library = chinaCalendar();
      const holiday = shanghaiDate(nextDigestAt(new Date(start.getTime() + 2 * DAY), library));
      const year = Number(holiday.slice(0, 4));
      const lib = schedule as { holidays: Record<string, string>; workdays: Record<string, string> };
      await saveCalendarOverride(
        sql,
        {
          year,
          holidays: [...Object.keys(lib.holidays).filter((d) => d.startsWith(`${year}-`)), holiday],
          workdays: Object.keys(lib.workdays).filter((d) => d.startsWith(`${year}-`)),
        },
        'admin',
      );
      await sql(`INSERT INTO unit_contact (unit, contacts) VALUES ($1, $2)`, [
        UNIT,
        JSON.stringify({ liaison: { name: '李联络', mobile: '13800000001' } }),
      ]);
      await sql(
        `INSERT INTO notification_channel (name, type, settings, units) VALUES ('digest-robot', 'wecom_robot', $1, $2)`,
        [JSON.stringify({ url: `${robot.url}?key=digest` }), [UNIT]],
      );
      // Something to say every day: an open obligation overdue since long before.
      const id = randomUUID();
      await sql(
        `INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, created_at, updated_at)
       VALUES ($1, $2, $3, 'work_order', $4, 'open', 1, 'yellow', $5, $6, 1, $5, $5)`,
        [
          id,
          `digest-${id}`,
          `obligation-${id}`,
          UNIT,
          new Date(start.getTime() - 30 * DAY),
          JSON.stringify({ id, title: '企业用电报装超时', unit: UNIT, rungName: '督办', status: 'open' }),
        ],
      );

      const taskQueue = `digest-${randomUUID().slice(0, 8)}`;
      const asked: string[] = [];
      const activities = workerActivities(
        new DeadlineActivities(db),
        new ReadModelActivities(db),
        new RungActionActivities(db, new LogNotifier(testLogger)),
        new ReportActivities(db),
        new DigestActivities({ DUBAN_DIGEST_TIME: '08:30', DUBAN_PUBLIC_URL: 'https://duban.example.gov.cn' }, db),
      );
      const worker = await Worker.create({
        connection: server.env.nativeConnection,
        taskQueue,
        workflowsPath: WORKFLOWS_PATH,
        activities,
      });
      await worker.runUntil(async () => {
        const handle = await server.env.client.workflow.start(digestWorkflow, {
          workflowId: `digest-${randomUUID()}`,
          taskQueue,
          args: [{}],
        });
        await server.env.sleep(14 * DAY);
        const history = await handle.fetchHistory();
        for (const e of history.events ?? []) {
          const a = e.activityTaskScheduledEventAttributes;
          if (a?.activityType?.name !== 'sendDailyDigest') continue;
          const [input] = a.input!.payloads!.map((p) => JSON.parse(Buffer.from(p.data!).toString()) as { at: string });
          asked.push(toShanghaiIso(input.at).slice(11));
        }
        await handle.terminate('test over');
      });
      // Each at 08:30 Shanghai time.
      expect(new Set(asked)).toEqual(new Set(['08:30:00+08:00']));

      const rows: { event_key: string; created_at: Date }[] = await sql(
        `SELECT event_key, created_at FROM notification_delivery WHERE event = 'digest' ORDER BY id`,
      );
      const days = rows.map((r) => r.event_key.split(':')[1]);
      const expected: string[] = [];
      const withHoliday = chinaCalendar([
        {
          year,
          holidays: [...Object.keys(lib.holidays).filter((d) => d.startsWith(`${year}-`)), holiday],
          workdays: Object.keys(lib.workdays).filter((d) => d.startsWith(`${year}-`)),
        },
      ]);
      for (
        let t = nextDigestAt(start, withHoliday);
        t.getTime() <= start.getTime() + 14 * DAY;
        t = nextDigestAt(t, withHoliday)
      )
        expected.push(shanghaiDate(t));
      expect(days).toEqual(expected);
      expect(days).not.toContain(holiday);
      expect(
        days.every((d) => ![0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay()) || Object.hasOwn(lib.workdays, d)),
      ).toBe(true);
      expect(days.length).toBeGreaterThanOrEqual(8);
      expect(rows.every((r) => r.event_key.endsWith(`:${UNIT}`))).toBe(true);

      // What the liaison's group reads: the robot's documented markdown, the day's counts and items.
      const session = await db.createQueryRunner();
      await session.connect();
      try {
        for (let i = 0; i < 3; i++)
          await drainChannel({ sql: (t, p) => session.query(t, p), release: async () => undefined }, 'digest-robot');
      } finally {
        await session.release();
      }
      expect(robot.problems).toEqual([]);
      const first = robot.received.map((r) => r.body.markdown?.content ?? r.body.text?.content).join('\n');
      expect(first).toContain('每日督办提示');
      expect(first).toContain('已逾期 1 项');
      expect(first).toContain('已逾期：企业用电报装超时（督办）');
    },
  );
});
