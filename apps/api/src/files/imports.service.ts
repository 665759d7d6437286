import { BadRequestException, ConflictException, HttpException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  headerProblems,
  IMPORT_COLUMNS,
  IMPORT_KIND_NAMES,
  readRow,
  type ImportKind,
  type ImportRequest,
} from '../../../../libs/domain/import-rows';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { readTable, UnreadableFile } from '../../../../libs/shared/files/table-file';
import { workbook } from '../../../../libs/shared/files/xlsx';
import { obligationIdOf } from '../../../../libs/shared/obligation-id';
import type { Principal } from '../auth/principal';
import { errorBody, type FieldProblem } from '../http-errors';
import type { CreateObligationDto } from '../obligations/obligation.dto';
import { ObligationsService } from '../obligations/obligations.service';

export type RowStatus = 'created' | 'existing' | 'conflict' | 'invalid' | 'valid';

export interface RowResult {
  row: number;
  status: RowStatus;
  key?: string;
  id?: string;
  details: FieldProblem[];
}

export interface ImportResult {
  dryRun: boolean;
  kind: ImportKind;
  /** Data rows in the file; `offset`/`limit` take a slice of them (the console imports in batches). */
  total: number;
  offset: number;
  created: number;
  existing: number;
  conflict: number;
  invalid: number;
  valid: number;
  rows: RowResult[];
}

/** Rows started at once: enough to keep Temporal and Postgres busy, few enough not to swamp the pool. */
export const IMPORT_PARALLELISM = 16;

const detailsOf = (err: unknown): FieldProblem[] | null => {
  if (!(err instanceof HttpException)) return null;
  const body = err.getResponse() as { details?: FieldProblem[] };
  return Array.isArray(body?.details) ? body.details : null;
};

/** Runs `work` over `items`, at most `n` at a time, keeping their order in the answer. */
async function bounded<T, R>(items: T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (next < items.length && failure === null) {
      const i = next++;
      try {
        out[i] = await work(items[i]);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  if (failure !== null) throw failure;
  return out;
}

/** 台账导入: a spreadsheet of work orders, enterprises or meeting items, each row its own obligation. */
@Injectable()
export class ImportsService {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    private readonly obligations: ObligationsService,
  ) {}

  private async lookups() {
    const units: Array<{ code: string; name: string }> = await this.db.query('SELECT code, name FROM unit');
    const groups: Array<{ code: string; name: string }> = await this.db.query('SELECT code, name FROM work_group');
    const find = (list: Array<{ code: string; name: string }>) => {
      const byName = new Map(list.flatMap((x) => [[x.name, x.code] as const, [x.code, x.code] as const]));
      return (t: string) => byName.get(t.trim()) ?? null;
    };
    return { unit: find(units), group: find(groups) };
  }

  async run(
    file: Buffer,
    kind: ImportKind,
    dryRun: boolean,
    by: Principal,
    slice: { offset: number; limit?: number },
  ): Promise<ImportResult> {
    let table;
    try {
      table = await readTable(file);
    } catch (err) {
      if (err instanceof UnreadableFile)
        throw new BadRequestException(errorBody(400, '上传的文件无法读取', [{ field: 'file', reason: err.message }]));
      throw err;
    }
    const missing = headerProblems(kind, table.header);
    if (missing.length)
      throw new BadRequestException(
        errorBody(
          400,
          `文件的表头不是${IMPORT_KIND_NAMES[kind]}模板的列`,
          missing.map((m) => ({ ...m, field: `file.${m.field}` })),
        ),
      );
    const ctx = await this.lookups();
    // Spreadsheet row numbers: the header is row 1; wholly empty rows are skipped.
    const data = table.rows
      .map((cells, i) => ({ row: i + 2, cells }))
      .filter((r) => r.cells.some((c) => c !== null && String(c).trim() !== ''));
    const slice_ = data.slice(slice.offset, slice.limit === undefined ? undefined : slice.offset + slice.limit);
    const firstRowOfKey = new Map<string, number>();
    for (const r of data) {
      const { request } = readRow(kind, table.header, r.cells, ctx);
      if (request && !firstRowOfKey.has(request.key)) firstRowOfKey.set(request.key, r.row);
    }
    const keyHeader = IMPORT_COLUMNS[kind][0].header;
    const read = slice_.map((r) => {
      const { request, details } = readRow(kind, table.header, r.cells, ctx);
      const first = request ? firstRowOfKey.get(request.key) : undefined;
      if (request && first !== undefined && first !== r.row)
        return { row: r.row, request: null, details: [{ field: keyHeader, reason: `与第${first}行是同一事项` }] };
      return { row: r.row, request, details };
    });
    const keys = read.flatMap((r) => (r.request ? [r.request.key] : []));
    const known: Array<{ key: string; id: string }> = keys.length
      ? await this.db.query('SELECT key, id FROM obligation WHERE key = ANY($1)', [keys])
      : [];
    const existing = new Map(known.map((k) => [k.key, k.id]));

    const rows = await bounded(read, dryRun ? 1 : IMPORT_PARALLELISM, async (r): Promise<RowResult> => {
      if (!r.request) return { row: r.row, status: 'invalid', details: r.details };
      const key = r.request.key;
      if (dryRun) {
        const id = existing.get(key);
        return id
          ? { row: r.row, status: 'existing', key, id, details: [] }
          : { row: r.row, status: 'valid', key, details: [] };
      }
      return this.start(r.row, r.request, by);
    });
    const count = (s: RowStatus) => rows.filter((r) => r.status === s).length;
    return {
      dryRun,
      kind,
      total: data.length,
      offset: slice.offset,
      created: count('created'),
      existing: count('existing'),
      conflict: count('conflict'),
      invalid: count('invalid'),
      valid: count('valid'),
      rows,
    };
  }

  /** One row's obligation, started or found; a refusal of its fields is the row's answer, not the file's. */
  private async start(row: number, request: ImportRequest, by: Principal): Promise<RowResult> {
    const { coUnits, ...rest } = request;
    // 协办单位 ride along where the create contract has them (coUnits); the rest is CreateObligationDto.
    const dto = { ...rest, ...(coUnits && { coUnits }) } as CreateObligationDto;
    try {
      const { state, created } = await this.obligations.create(dto, by);
      return { row, status: created ? 'created' : 'existing', key: request.key, id: state.id, details: [] };
    } catch (err) {
      const details = detailsOf(err);
      if (!details) throw err;
      if (err instanceof ConflictException)
        return {
          row,
          status: 'conflict',
          key: request.key,
          id: obligationIdOf(request.key),
          details: details.map((d) => ({ field: d.field, reason: '与已立项的同一事项内容不同' })),
        };
      return { row, status: 'invalid', key: request.key, details };
    }
  }

  /** The kind's template: its columns, and a sheet saying how to fill them. */
  template(kind: ImportKind): Promise<Buffer> {
    const columns = IMPORT_COLUMNS[kind];
    return workbook([
      { name: IMPORT_KIND_NAMES[kind], columns: columns.map((c) => ({ header: c.header })), rows: [] },
      {
        name: '填写说明',
        columns: [{ header: '列名' }, { header: '是否必填' }, { header: '示例' }, { header: '说明' }],
        rows: columns.map((c) => [c.header, c.required ? '必填' : '选填', c.example, c.note]),
      },
    ]);
  }
}
