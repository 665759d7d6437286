// The Chinese names of the organisation's kinds, apart from its data file so that the console
// can use them without bundling the district's data.
import type { UnitKind, WorkGroup } from './organisation';

/** What the console calls each kind of unit. */
export const UNIT_KIND_NAMES: Record<UnitKind, string> = {
  government: '政府办公室',
  party: '党委部门',
  supervisor: '纪检督查机关',
  department: '政府部门',
  institution: '事业单位',
  organisation: '人民团体',
  court: '司法机关',
  vertical: '垂直管理单位',
  park: '园区、保护区',
  town: '镇街（园区）',
};

/** What the console calls each kind of working group. */
export const GROUP_KIND_NAMES: Record<WorkGroup['kind'], string> = {
  standing: '常设工作组',
  'task-force': '临时攻坚专班',
};
