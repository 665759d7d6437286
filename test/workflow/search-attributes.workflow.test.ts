import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import { planDeadline } from '../../libs/domain/deadline';
import { firstDeadline, openObligation, type Actor, type ObligationInput } from '../../libs/domain/obligation';
import {
  COLOR,
  DUE_AT,
  KIND,
  RUNG,
  startingSearchAttributes,
  STATUS,
  UNIT,
} from '../../libs/shared/temporal/search-attributes';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import { completionUpdate, snapshotUpdate, verificationUpdate } from '../../libs/contracts/obligation';
import { obligationWorkflowV2 } from '../../workflows/obligation';
import { keepHistory } from '../support/histories';
import { recordingActivities, useTimeSkippingServer } from '../support/time-skipping';

// `search-attributes-when-changed`: the API sets the six search attributes at the start and each
// record upserts only those it changes. What Temporal's visibility says must stay what the state
// says, with fewer upserts (each one an event, a visibility write and, on Temporal Cloud, an action).
const HOUR = 60 * 60 * 1000;
const server = useTimeSkippingServer();
const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室' };
const department: Actor = { role: 'department', unit: 'district-tax', name: '税务局' };
const EventType = temporal.api.enums.v1.EventType;

describe('search attributes', () => {
  it('are set at the start, then upserted only by a record that changes them, always saying what the state says', async () => {
    const taskQueue = `wf-${Math.random().toString(36).slice(2)}`;
    const { fx, activities } = recordingActivities();
    const worker = await Worker.create({
      connection: server.env.nativeConnection,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities,
    });
    await worker.runUntil(async () => {
      const now = new Date(await server.env.currentTimeMs());
      const i: ObligationInput = {
        id: '00000000-0000-4000-8000-5a0000000001',
        key: 'wf-search-attributes',
        kind: 'work_order',
        title: '企业反映退税进度慢',
        unit: 'district-tax',
        startAt: now.toISOString(),
        dueAt: null,
        policy: {
          deadline: 'PT1H',
          remind: ['PT30M'],
          rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 2, grace: 'PT1H' }, { rung: 3, grace: 'PT1H' }, { rung: 4 }],
          rework: 'PT10M',
        },
        by: supervisor,
      };
      // As the API starts it (obligations.service.ts).
      const plan = planDeadline(firstDeadline(i), chinaCalendar([]));
      const opened = openObligation(i, plan, now);
      const h = await server.env.client.workflow.start(obligationWorkflowV2, {
        taskQueue,
        workflowId: `obligation-${i.id}`,
        args: [{ open: i, opened: { plan, at: opened.createdAt } }],
        typedSearchAttributes: startingSearchAttributes(opened),
      });
      const visible = async () => {
        const s = await h.executeUpdate(snapshotUpdate);
        const { typedSearchAttributes: a } = await h.describe();
        expect({
          unit: a.get(UNIT),
          kind: a.get(KIND),
          status: a.get(STATUS),
          color: a.get(COLOR),
          rung: a.get(RUNG),
          dueAt: a.get(DUE_AT)?.getTime(),
        }).toEqual({
          unit: s.unit,
          kind: s.kind,
          status: s.status,
          color: s.color,
          rung: s.rung,
          dueAt: s.dueAt ? Date.parse(s.dueAt) : undefined,
        });
        return s;
      };
      // Duban's own upserts (each `patched` also upserts the SDK's TemporalChangeVersion, once a run).
      const upserts = async () =>
        (await h.fetchHistory()).events!.filter(
          (e) =>
            e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES &&
            !(
              'TemporalChangeVersion' in
              e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!
            ),
        );

      expect(await visible()).toMatchObject({ status: 'open', rung: 0 });
      // Its first record changed nothing the start had not set.
      expect(await upserts()).toHaveLength(0);

      await server.env.sleep(45 * 60 * 1000); // the reminder: yellow
      expect(await visible()).toMatchObject({ rung: 0, color: 'yellow' });
      await server.env.sleep(10 * HOUR); // up to 问责, a document on each rung
      expect(await visible()).toMatchObject({ status: 'open', rung: 4 });
      const climbed = await upserts();
      // Fewer upserts than records: a record that only attaches a document changes none of the six.
      expect(climbed.length).toBeGreaterThan(0);
      expect(climbed.length).toBeLessThan(fx.records.length);
      for (const e of climbed) {
        const fields = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!);
        expect(fields).not.toContain('DubanUnit');
        expect(fields).not.toContain('DubanKind');
      }

      await h.executeUpdate(completionUpdate, { args: [{ summary: '已办结', evidence: [], by: department }] });
      expect(await visible()).toMatchObject({ status: 'submitted' });
      await h.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '准予销号', by: supervisor }] });
      expect((await h.result()).status).toBe('completed');
      expect((await h.describe()).typedSearchAttributes.get(STATUS)).toBe('completed');
      await keepHistory(server.env, 'search-attributes-when-changed', h.workflowId, h.firstExecutionRunId);
    });
  }, 90_000);
});
