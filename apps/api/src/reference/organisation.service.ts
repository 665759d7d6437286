import { pinyin } from 'pinyin-pro';
import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Indicator, Unit, WorkGroup } from '../../../../libs/domain/organisation';
import { ChangeNotices, type NoticedCache } from '../../../../libs/shared/database/change-notices';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { errorBody, invalidRequest } from '../http-errors';
import type { CreateTaskForceDto, CreateUnitDto, GroupMembersDto, UpdateUnitDto } from './organisation.dto';

const UNIT = `SELECT code, name, kind, leader, source FROM unit`;
const GROUP = `SELECT code, name, kind, duties, lead, responsible, responsible_all_units AS "responsibleAllUnits", source FROM work_group`;

/** The district's units, working groups and indicators, as loaded from the data file and changed by the admin. */
@Injectable()
export class OrganisationService {
  // Every start asks whether its unit exists: kept in memory until the unit table changes.
  private readonly existing: NoticedCache<boolean>;

  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(ChangeNotices) private readonly notices: ChangeNotices,
  ) {
    this.existing = notices.cache<boolean>('unit');
  }

  /** Every unit, with its name's pinyin initials (区供电公司 → qgdgs) for pickers that search by them. */
  async units(): Promise<Array<Unit & { source: string; initials: string }>> {
    const rows: Array<Unit & { source: string }> = await this.db.query(`${UNIT} ORDER BY source DESC, code`);
    return rows.map((u) => ({ ...u, initials: initialsOf(u.name) }));
  }

  groups(): Promise<Array<WorkGroup & { source: string }>> {
    return this.db.query(`${GROUP} ORDER BY created_at, code`);
  }

  indicators(): Promise<Indicator[]> {
    return this.db.query(
      `SELECT code, name, group_code AS "group", lead_unit AS "leadUnit" FROM indicator ORDER BY code`,
    );
  }

  unitExists(code: string): Promise<boolean> {
    return this.existing.get(
      code,
      async () => (await this.db.query(`SELECT 1 FROM unit WHERE code = $1`, [code])).length > 0,
    );
  }

  /** Adds a unit; the same unit again is answered as it is (created: false), other values 409. */
  async addUnit(given: CreateUnitDto): Promise<{ unit: Unit; created: boolean }> {
    const dto = { ...given, code: given.code ?? (await this.codeFor('unit', given.kind, given.name)) };
    const leader = {
      name: dto.leader?.name ?? null,
      title: dto.leader?.title ?? null,
      phone: dto.leader?.phone ?? null,
    };
    const existing = async () => {
      const [found] = await this.db.query(`${UNIT} WHERE code = $1 OR name = $2`, [dto.code, dto.name]);
      if (!found) return null;
      const differing = (['code', 'name', 'kind'] as const).filter((f) => found[f] !== dto[f]);
      if (differing.length)
        throw new ConflictException(
          errorBody(
            409,
            `单位“${found.name}”已存在，且与本次提交不一致`,
            differing.map((field) => ({ field, reason: '与已有单位不一致' })),
          ),
        );
      return { unit: found as Unit, created: false };
    };
    const before = await existing();
    if (before) return before;
    // ON CONFLICT: a concurrent call with the same code or name inserts nothing here, and is then
    // answered like any repeat (the same unit 200, other values 409), never a unique violation's 500.
    const inserted = await this.db.query(
      `INSERT INTO unit (code, name, kind, leader, source) VALUES ($1, $2, $3, $4, 'admin') ON CONFLICT DO NOTHING RETURNING code`,
      [dto.code, dto.name, dto.kind, JSON.stringify(leader)],
    );
    this.notices.changed('unit');
    if (inserted.length === 0) {
      const after = await existing();
      if (after) return after;
      throw new ConflictException(
        errorBody(409, '该单位正在被另一请求同时创建', [
          { field: 'code', reason: '该单位正在被另一请求同时创建，请稍后重试' },
        ]),
      );
    }
    return { unit: { code: dto.code, name: dto.name, kind: dto.kind as Unit['kind'], leader }, created: true };
  }

  /** Renames a unit or changes its leader; its code, and so every obligation's link to it, stays. */
  async updateUnit(code: string, dto: UpdateUnitDto): Promise<Unit> {
    const [found]: Unit[] = await this.db.query(`${UNIT} WHERE code = $1`, [code]);
    if (!found)
      throw new NotFoundException(
        errorBody(404, `没有这个单位（${code}）`, [{ field: 'code', reason: '没有这个单位' }]),
      );
    const name = dto.name?.trim() || found.name;
    const leader = dto.leader
      ? { name: dto.leader.name ?? null, title: dto.leader.title ?? null, phone: dto.leader.phone ?? null }
      : found.leader;
    try {
      const [rows]: [Unit[], number] = await this.db.query(
        `UPDATE unit SET name = $2, leader = $3 WHERE code = $1 RETURNING code, name, kind, leader`,
        [code, name, JSON.stringify(leader)],
      );
      return rows[0];
    } catch (err) {
      // The name is unique: another unit's name (even one given by a concurrent request) is a 409.
      const e = err as { code?: string; driverError?: { code?: string } };
      if ((e.driverError?.code ?? e.code) !== '23505') throw err;
      const reason = `单位名称“${name}”已被另一单位使用`;
      throw new ConflictException(errorBody(409, reason, [{ field: 'name', reason }]));
    }
  }

  async addTaskForce(given: CreateTaskForceDto): Promise<WorkGroup> {
    const dto = { ...given, code: given.code ?? (await this.codeFor('work_group', 'task-force', given.name)) };
    await this.checkMembers(dto);
    const [existing] = await this.db.query(`${GROUP} WHERE code = $1 OR name = $2`, [dto.code, dto.name]);
    if (existing)
      throw new ConflictException(
        errorBody(409, `工作组“${existing.name}”已存在`, [
          {
            field: existing.code === dto.code ? 'code' : 'name',
            reason: existing.code === dto.code ? '该编码已被使用' : '该名称已被使用',
          },
        ]),
      );
    // ON CONFLICT: of two concurrent calls for one code or name, one inserts; the other is the 409 above.
    const inserted = await this.db.query(
      `INSERT INTO work_group (code, name, kind, duties, lead, responsible, source) VALUES ($1, $2, 'task-force', $3, $4, $5, 'admin') ON CONFLICT DO NOTHING RETURNING code`,
      [dto.code, dto.name, dto.duties, dto.lead, dto.responsible],
    );
    if (inserted.length === 0)
      throw new ConflictException(
        errorBody(409, `工作组“${dto.name}”已存在`, [
          { field: 'code', reason: '编码或名称已被占用（另一请求刚刚创建了它）' },
        ]),
      );
    return this.group(dto.code);
  }

  async setMembers(code: string, dto: GroupMembersDto): Promise<WorkGroup> {
    await this.group(code);
    await this.checkMembers(dto);
    await this.db.query(`UPDATE work_group SET lead = $2, responsible = $3 WHERE code = $1`, [
      code,
      dto.lead,
      dto.responsible,
    ]);
    return this.group(code);
  }

  private async group(code: string): Promise<WorkGroup> {
    const [g] = await this.db.query(`${GROUP} WHERE code = $1`, [code]);
    if (!g)
      throw new NotFoundException(errorBody(404, '未找到该工作组', [{ field: 'code', reason: '没有这个工作组' }]));
    return g;
  }

  /**
   * A code for a unit or group the admin named without one: the prefix and the name's pinyin
   * initials, numbered when taken by another name; the same name again gets its existing code.
   */
  private async codeFor(table: 'unit' | 'work_group', prefix: string, name: string): Promise<string> {
    const [same] = await this.db.query(`SELECT code FROM ${table} WHERE name = $1`, [name]);
    if (same) return same.code;
    const stem = `${prefix}-${initialsOf(name).replace(/[^a-z0-9]/g, '') || 'x'}`.slice(0, 56);
    const taken = new Set<string>(
      (await this.db.query(`SELECT code FROM ${table} WHERE code = $1 OR code LIKE $2`, [stem, `${stem}-%`])).map(
        (r: { code: string }) => r.code,
      ),
    );
    let code = stem;
    for (let n = 2; taken.has(code); n++) code = `${stem}-${n}`;
    return code;
  }

  /** The codes among `codes` that name no unit, in one query. */
  async unknownUnits(codes: string[]): Promise<Set<string>> {
    const known = new Set<string>(
      (await this.db.query(`SELECT code FROM unit WHERE code = ANY($1)`, [codes])).map((r: { code: string }) => r.code),
    );
    return new Set(codes.filter((c) => !known.has(c)));
  }

  private async checkMembers(dto: GroupMembersDto): Promise<void> {
    const unknown = await this.unknownUnits([...dto.lead, ...dto.responsible]);
    const problems = (['lead', 'responsible'] as const).flatMap((list) =>
      dto[list].flatMap((c, i) =>
        unknown.has(c) ? [{ field: `${list}[${i}]`, reason: `不是已登记的单位（${c}，见 GET /v1/units）` }] : [],
      ),
    );
    if (problems.length)
      throw new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));
  }
}

function initialsOf(name: string): string {
  return pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'removed' }).join('').toLowerCase();
}
