import {
  CommandRefused,
  isSettled,
  STATUS_NAMES,
  transition,
  type Actor,
  type ObligationInput,
  type ObligationState,
  type ObligationStatus,
  type Subtask,
} from './obligation';
import { toShanghaiIso } from './time';

// 并单 and 分解落实 (API.md, Additions → Outcomes): obligations linked to one another. The pure
// rules and transitions; the workflow sends the messages between the linked obligations.

// ——— 并单 ———

/** What the duplicate's workflow is told of its main obligation (the API reads it from the read model). */
export interface MergeTarget {
  into: string;
  number: string;
  title: string;
}

/**
 * The duplicate's own part of the refusal (its workflow decides it): not into itself, not once
 * settled, not while duplicates of its own are merged into it (they would lose their main one).
 */
export function refusalToMerge(state: ObligationState, c: Pick<MergeTarget, 'into'>): string | null {
  if (c.into === state.id) return '不能把事项并入它本身';
  if (isSettled(state)) return `事项状态为“${STATUS_NAMES[state.status]}”，不能并单`;
  if (state.merged?.length) return '已有其他事项并入本事项，本事项只能作为主事项，不能再并入其他事项';
  return null;
}

/**
 * The whole refusal, with the main obligation's state: also not into a settled or merged one,
 * not into one merged into this (a cycle), and only within one kind — a duplicate is the same
 * request again, and the main one's completion must answer it under the same rules and clocks.
 */
export function refusalToMergeInto(dup: ObligationState, main: ObligationState): string | null {
  const own = refusalToMerge(dup, { into: main.id });
  if (own) return own;
  if (main.mergedInto === dup.id || dup.merged?.includes(main.id)) return '主事项已并入本事项，不能互相并单';
  if (main.status === 'merged') return '主事项本身已并入其他事项，请并入最终的主事项';
  if (isSettled(main)) return `主事项状态为“${STATUS_NAMES[main.status]}”，不能并入已结束的事项`;
  if (main.kind !== dup.kind) return '并单只能在同类事项之间进行';
  return null;
}

/** 并单: the duplicate is settled as merged; its clock stops (settled), no rung climbs. */
export function mergeInto(
  state: ObligationState,
  m: MergeTarget & { reason: string; by: Actor | null },
  at: Date,
): ObligationState {
  const refusal = refusalToMerge(state, m);
  if (refusal) throw new CommandRefused(refusal);
  return transition(
    state,
    at,
    { type: 'merged_into', by: m.by, data: { into: m.into, number: m.number, title: m.title, reason: m.reason } },
    {
      status: 'merged',
      mergedInto: m.into,
      merge: { into: m.into, number: m.number, title: m.title, reason: m.reason, at: toShanghaiIso(at), by: m.by },
    },
  );
}

/** What a merged duplicate tells its main obligation. */
export interface DuplicateNotice {
  id: string;
  number: string;
  title: string;
  by: Actor | null;
}

/** The main obligation lists the duplicate (once, whatever its own state: the link is a fact). */
export function absorbDuplicate(state: ObligationState, d: DuplicateNotice, at: Date): ObligationState {
  if (state.merged?.includes(d.id)) return state;
  return transition(
    state,
    at,
    { type: 'duplicate_merged', by: d.by, data: { id: d.id, number: d.number, title: d.title } },
    { merged: [...(state.merged ?? []), d.id] },
  );
}

/** What a settled obligation tells those linked to it (its duplicates, its parent). */
export interface SettledNotice {
  id: string;
  status: ObligationStatus;
  at: string;
}

/** The main one settled: its completion is reported for the duplicate (the first report counts). */
export function mainSettled(state: ObligationState, n: SettledNotice, at: Date): ObligationState {
  if (!state.merge || state.merge.into !== n.id || state.merge.mainOutcome) return state;
  return transition(
    state,
    at,
    {
      type: 'main_settled',
      by: null,
      data: { into: n.id, number: state.merge.number, title: state.merge.title, status: n.status, settledAt: n.at },
    },
    { merge: { ...state.merge, mainOutcome: { status: n.status, at: n.at } } },
  );
}

// ——— 分解落实 ———

export interface SubtaskItem {
  id: string;
  key: string;
  unit: string;
  unitName: string;
  title: string;
  dueAt: string | null;
}

export function refusalToSplit(state: ObligationState, c: { items: Pick<SubtaskItem, 'id'>[] }): string | null {
  if (state.status !== 'open') return `事项状态为“${STATUS_NAMES[state.status]}”，不能分解落实`;
  if (c.items.length === 0) return '分解落实须至少列出一项';
  const known = new Set((state.children ?? []).map((ch) => ch.id));
  if (c.items.some((i) => known.has(i.id))) return '这些分解事项已经交办过';
  return null;
}

/** 分解落实: the parent lists its sub-obligations (the workflow starts each); its own clock runs on. */
export function split(
  state: ObligationState,
  c: { items: SubtaskItem[]; by: Actor | null },
  at: Date,
): ObligationState {
  const refusal = refusalToSplit(state, c);
  if (refusal) throw new CommandRefused(refusal);
  const added: Subtask[] = c.items.map((i) => ({ ...i, status: 'open' }));
  return transition(
    state,
    at,
    { type: 'subtasks_assigned', by: c.by, data: { items: c.items } },
    { children: [...(state.children ?? []), ...added] },
  );
}

/** A sub-obligation's opening: the parent's kind, policy and subject (not its ticket number). */
export function subtaskInput(parent: ObligationState, item: SubtaskItem, by: Actor | null, at: Date): ObligationInput {
  const { ticketNumber: _ticket, ...subject } = parent.subject ?? {};
  return {
    id: item.id,
    key: item.key,
    kind: parent.kind,
    title: item.title,
    unit: item.unit,
    startAt: toShanghaiIso(at),
    dueAt: item.dueAt,
    policy: parent.policy,
    by,
    ...(parent.subject && { subject }),
    parent: parent.id,
  };
}

/** A sub-obligation settled (or was reopened): the parent's list follows it. */
export function childSettled(state: ObligationState, n: SettledNotice, at: Date): ObligationState {
  const child = state.children?.find((c) => c.id === n.id);
  if (!child || child.status === n.status) return state;
  return transition(
    state,
    at,
    // Also a settled one reopened (重办): open again, the parent waits for it again.
    { type: 'child_settled', by: null, data: { id: n.id, unit: child.unit, title: child.title, status: n.status } },
    {
      children: state.children!.map((c) => {
        if (c.id !== n.id) return c;
        const { settledAt: _before, ...rest } = c;
        return { ...rest, status: n.status, ...(isSettled(n) && { settledAt: n.at }) };
      }),
    },
  );
}

/** 已办结 / 合计, for the parent's page. */
export function subtaskProgress(state: Pick<ObligationState, 'children'>): { settled: number; total: number } {
  const children = state.children ?? [];
  return { settled: children.filter((c) => isSettled(c)).length, total: children.length };
}
