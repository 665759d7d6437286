import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { COLOR_NAMES } from '../../../../libs/domain/color';
import { KINDS } from '../../../../libs/domain/kinds';
import { rungName } from '../../../../libs/domain/ladder';
import { STATUS_NAMES, type ObligationState } from '../../../../libs/domain/obligation';
import { isOverdue } from '../../../../libs/domain/overdue';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { shanghaiCell, workbook, type SheetSpec } from '../../../../libs/shared/files/xlsx';
import type { Principal } from '../auth/principal';
import { BoardService, type BoardFilter } from '../board/board.service';
import type { ListQueryDto } from '../obligations/obligation.dto';
import { ObligationsService } from '../obligations/obligations.service';

/** The 台账 columns (issue 18, binding order). */
export const LEDGER_COLUMNS = [
  { header: '事项编号' },
  { header: '事项' },
  { header: '类别' },
  { header: '责任单位' },
  { header: '协办单位' },
  { header: '交办时间', date: true },
  { header: '办理期限', date: true },
  { header: '状态' },
  { header: '督办层级' },
  { header: '颜色' },
  { header: '是否逾期' },
  { header: '办结时间', date: true },
];

/** When it was 销号: the accepted verification of a completed obligation. */
function completedAt(s: ObligationState): string | null {
  if (s.status !== 'completed') return null;
  return [...s.verifications].reverse().find((v) => v.accepted)?.at ?? s.completion?.at ?? null;
}

/** Spreadsheets out: the 台账 with the list's filters, and the board. */
@Injectable()
export class ExportsService {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    private readonly obligations: ObligationsService,
    private readonly board: BoardService,
  ) {}

  private async unitNames(): Promise<(code: string) => string> {
    const rows: Array<{ code: string; name: string }> = await this.db.query('SELECT code, name FROM unit');
    const names = new Map(rows.map((r) => [r.code, r.name]));
    return (code) => names.get(code) ?? code;
  }

  /** Every obligation the list would show with these filters, over all its pages, as the 台账. */
  async ledger(q: ListQueryDto, viewer: Principal): Promise<{ file: Buffer; rows: number }> {
    const name = await this.unitNames();
    const items: ObligationState[] = [];
    const base: ListQueryDto = { ...q, limit: 200, cursor: undefined, page: undefined };
    const sorted = (q.sort ?? 'createdAt') !== 'createdAt' || q.order === 'asc';
    for (let page = 1, cursor: string | null | undefined = undefined; ; page++) {
      const res = await this.obligations.list(
        sorted ? { ...base, page } : { ...base, cursor: cursor ?? undefined },
        viewer,
      );
      items.push(...res.items);
      if (sorted ? res.items.length < 200 : !res.nextCursor) break;
      cursor = res.nextCursor;
    }
    const now = Date.now();
    const rows = items.map((s) => [
      s.number ?? s.key,
      s.title,
      KINDS[s.kind]?.name ?? '',
      name(s.unit),
      ((s as ObligationState & { coUnits?: string[] }).coUnits ?? []).map(name).join('、'),
      shanghaiCell(s.startAt),
      shanghaiCell(s.dueAt),
      STATUS_NAMES[s.status] ?? '',
      rungName(s.rung),
      COLOR_NAMES[s.color],
      isOverdue(s, now) ? '是' : '否',
      shanghaiCell(completedAt(s)),
    ]);
    return { file: await workbook([{ name: '督办事项台账', columns: LEDGER_COLUMNS, rows }]), rows: rows.length };
  }

  /** 挂图作战 as a workbook: the units' counts, and the red list. */
  async boardFile(filter: BoardFilter, viewer: Principal): Promise<Buffer> {
    const name = await this.unitNames();
    const b = await this.board.board(filter, viewer);
    const units: SheetSpec = {
      name: '各单位在办情况',
      columns: ['责任单位', '在办', '逾期', '提醒', '督办', '挂牌', '约谈', '问责', '蓝', '黄', '红'].map((header) => ({
        header,
      })),
      rows: b.units.map((u) => [
        u.name ?? name(u.unit),
        u.total,
        u.overdue,
        ...u.rungs,
        u.colors.blue,
        u.colors.yellow,
        u.colors.red,
      ]),
    };
    const red: SheetSpec = {
      name: '挂牌督办清单',
      columns: [
        { header: '事项编号' },
        { header: '事项' },
        { header: '责任单位' },
        { header: '督办层级' },
        { header: '办理期限', date: true },
      ],
      rows: b.redList.map((s) => [s.number, s.title, name(s.unit), rungName(s.rung), shanghaiCell(s.dueAt)]),
    };
    const indicators: SheetSpec = {
      name: '考核指标位次',
      columns: [{ header: '指标' }, { header: '牵头单位' }, { header: '月份' }, { header: '位次' }, { header: '评价' }],
      rows: b.indicators.map((i) => [
        i.name,
        i.leadUnitName ?? name(i.leadUnit),
        i.month ? `${i.month.slice(0, 4)}年${Number(i.month.slice(5))}月` : '未录入',
        i.rank !== null ? `${i.rank}/${i.of}` : '未录入',
        i.colour ? COLOR_NAMES[i.colour] : '—',
      ]),
    };
    return workbook([units, red, indicators]);
  }
}
