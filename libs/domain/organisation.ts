import data from './district/organisation.json';

// The district's organisation as the seed sets it out (二、机构设置): units, working groups, the
// nine assessment indicators. The data file is what a reviewer diffs against the seed.

export type UnitKind =
  | 'government'
  | 'party'
  | 'supervisor'
  | 'department'
  | 'institution'
  | 'organisation'
  | 'court'
  | 'vertical'
  | 'park'
  | 'town';

export interface Unit {
  code: string;
  name: string;
  kind: UnitKind;
  /** The unit's leader, summoned at 约谈; filled in by the admin. */
  leader: { name: string | null; title: string | null; phone: string | null };
}

export interface WorkGroup {
  code: string;
  name: string;
  /** standing groups of the seed; task forces (专班) set up as the work needs. */
  kind: 'standing' | 'task-force';
  duties: string;
  lead: string[];
  responsible: string[];
  /** 各部门、各单位: every unit is responsible, besides those listed. */
  responsibleAllUnits?: boolean;
}

export interface Indicator {
  code: string;
  name: string;
  group: string;
  leadUnit: string;
}

export interface Organisation {
  source: string;
  units: Unit[];
  groups: WorkGroup[];
  indicators: Indicator[];
}

export const ORGANISATION = data as Organisation;

export const UNIT_KINDS: UnitKind[] = [
  'government',
  'party',
  'supervisor',
  'department',
  'institution',
  'organisation',
  'court',
  'vertical',
  'park',
  'town',
];
