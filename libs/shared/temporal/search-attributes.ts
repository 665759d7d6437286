import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes, so the Temporal UI can filter obligations by what supervisors ask about.
export const UNIT = defineSearchAttributeKey('DubanUnit', SearchAttributeType.KEYWORD);
export const KIND = defineSearchAttributeKey('DubanKind', SearchAttributeType.KEYWORD);
export const STATUS = defineSearchAttributeKey('DubanStatus', SearchAttributeType.KEYWORD);
export const COLOR = defineSearchAttributeKey('DubanColor', SearchAttributeType.KEYWORD);
export const RUNG = defineSearchAttributeKey('DubanRung', SearchAttributeType.INT);
export const DUE_AT = defineSearchAttributeKey('DubanDueAt', SearchAttributeType.DATETIME);

export const SEARCH_ATTRIBUTES = [UNIT, KIND, STATUS, COLOR, RUNG, DUE_AT];
