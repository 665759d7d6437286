import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

// Custom search attributes, so the Temporal UI can filter obligations by what supervisors ask about.
export const UNIT = defineSearchAttributeKey('DubanUnit', SearchAttributeType.KEYWORD);
export const KIND = defineSearchAttributeKey('DubanKind', SearchAttributeType.KEYWORD);
export const STATUS = defineSearchAttributeKey('DubanStatus', SearchAttributeType.KEYWORD);
export const COLOR = defineSearchAttributeKey('DubanColor', SearchAttributeType.KEYWORD);
export const RUNG = defineSearchAttributeKey('DubanRung', SearchAttributeType.INT);
export const DUE_AT = defineSearchAttributeKey('DubanDueAt', SearchAttributeType.DATETIME);

export const SEARCH_ATTRIBUTES = [UNIT, KIND, STATUS, COLOR, RUNG, DUE_AT];

/** What the six say of a state, as the workflow upserts them and the API sets them at the start. */
export function searchAttributesOf(s: {
  unit: string;
  kind: string;
  status: string;
  color: string;
  rung: number;
  dueAt: string | null;
}) {
  return [
    { key: UNIT, value: s.unit },
    { key: KIND, value: s.kind },
    { key: STATUS, value: s.status },
    { key: COLOR, value: s.color },
    { key: RUNG, value: s.rung },
    { key: DUE_AT, value: s.dueAt ? new Date(s.dueAt) : null },
  ] as const;
}

/** The six as a start sets them (an unset one is left out, not null). */
export function startingSearchAttributes(s: Parameters<typeof searchAttributesOf>[0]): SearchAttributePair[] {
  return searchAttributesOf(s).filter((a) => a.value !== null) as SearchAttributePair[];
}

/** Whether an attribute as the workflow has it already says `value` (unset and null are the same). */
export function sameSearchAttribute(had: unknown, value: unknown): boolean {
  if (had instanceof Date || value instanceof Date)
    return had instanceof Date && value instanceof Date && had.getTime() === value.getTime();
  return (had ?? null) === (value ?? null);
}
