import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { passwordProblems, usernameProblems } from '../../../../libs/domain/people';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import type { Principal, Role } from '../auth/principal';
import { errorBody, type FieldProblem } from '../http-errors';
import { OrganisationService } from '../reference/organisation.service';
import { hashPassword, initialPassword, verifyPassword } from './passwords';
import type { CreateUserDto, UpdateUserDto, UserView } from './users.dto';

export interface UserRow {
  username: string;
  name: string;
  role: Role;
  unit: string | null;
  password_hash: string;
  must_change_password: boolean;
  disabled_at: Date | null;
  created_at: Date;
}

export function userView(r: UserRow): UserView {
  return {
    username: r.username,
    name: r.name,
    role: r.role,
    unit: r.unit,
    disabled: r.disabled_at !== null,
    mustChangePassword: r.must_change_password,
    createdAt: toShanghaiIso(r.created_at),
  };
}

export function principalOf(r: UserRow): Principal {
  return { tokenId: null, username: r.username, role: r.role, unit: r.unit, name: r.name };
}

const invalid = (problems: FieldProblem[]) =>
  new BadRequestException(errorBody(400, `请求参数有误：${problems.map((p) => p.field).join('、')}`, problems));

/** Named accounts: created and changed by the admin, never deleted (disabled instead). */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly organisation: OrganisationService,
    private readonly logger: PinoLogger,
  ) {}

  /**
   * The first admin account, once: its password from DUBAN_ADMIN_PASSWORD, else generated into a
   * 0600 file of the data folder, which the log line names (the password itself is never logged).
   */
  async onApplicationBootstrap(): Promise<void> {
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM app_user WHERE role = 'admin'`);
    if (n > 0) return;
    let password = this.config.DUBAN_ADMIN_PASSWORD;
    let file: string | undefined;
    if (!password) {
      password = initialPassword();
      file = path.join(this.config.DUBAN_DATA_DIR, 'admin-password');
      fs.mkdirSync(this.config.DUBAN_DATA_DIR, { recursive: true });
      fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
    }
    const inserted = await this.db.query(
      `INSERT INTO app_user (username, name, role, unit, password_hash, must_change_password)
       VALUES ('admin', '系统管理员', 'admin', NULL, $1, $2) ON CONFLICT (username) DO NOTHING RETURNING username`,
      [await hashPassword(password), file !== undefined],
    );
    if (inserted.length > 0) {
      this.logger.info(
        { file },
        file
          ? `first admin account "admin" created; its initial password is in ${file}`
          : 'first admin account "admin" created',
      );
    }
  }

  async create(dto: CreateUserDto): Promise<{ user: UserView; initialPassword?: string }> {
    const problems = usernameProblems(dto.username);
    if (dto.password !== undefined) problems.push(...passwordProblems(dto.password, dto.username));
    if (dto.role === 'department' && dto.unit && !(await this.organisation.unitExists(dto.unit))) {
      problems.push({ field: 'unit', reason: `没有这个单位（${dto.unit}）` });
    }
    if (problems.length) throw invalid(problems);
    const given = dto.password;
    const password = given ?? initialPassword();
    const rows: UserRow[] = await this.db.query(
      `INSERT INTO app_user (username, name, role, unit, password_hash, must_change_password)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING *`,
      [
        dto.username,
        dto.name,
        dto.role,
        dto.role === 'department' ? dto.unit : null,
        await hashPassword(password),
        !given,
      ],
    );
    if (rows.length === 0) {
      const reason = `用户名 ${dto.username} 已被使用`;
      throw new ConflictException(errorBody(409, reason, [{ field: 'username', reason }]));
    }
    return { user: userView(rows[0]), ...(!given && { initialPassword: password }) };
  }

  async list(): Promise<UserView[]> {
    const rows: UserRow[] = await this.db.query('SELECT * FROM app_user ORDER BY role, username');
    return rows.map(userView);
  }

  async find(username: string): Promise<UserRow | null> {
    const [row] = await this.db.query('SELECT * FROM app_user WHERE username = $1', [username]);
    return row ?? null;
  }

  async update(username: string, dto: UpdateUserDto, by: Principal): Promise<UserView> {
    const current = await this.find(username);
    if (!current) throw notFound(username);
    const role = dto.role ?? current.role;
    const unit = role === 'department' ? (dto.unit !== undefined ? dto.unit : current.unit) : null;
    if (role === 'department' && (!unit || !(await this.organisation.unitExists(unit)))) {
      throw invalid([{ field: 'unit', reason: unit ? `没有这个单位（${unit}）` : '部门账号须指定所属单位' }]);
    }
    if (username === by.username && (dto.disabled || (dto.role && dto.role !== 'admin'))) {
      const reason = '不能停用自己的账号或取消自己的管理员角色';
      throw new ConflictException(errorBody(409, reason, [{ field: 'username', reason }]));
    }
    const disabled = dto.disabled ?? current.disabled_at !== null;
    // TypeORM answers an UPDATE with [rows, count].
    const [[row]]: [UserRow[], number] = await this.db.query(
      `UPDATE app_user SET role = $2, unit = $3, name = $4, updated_at = now(),
         disabled_at = CASE WHEN $5 THEN coalesce(disabled_at, now()) ELSE NULL END
       WHERE username = $1 RETURNING *`,
      [username, role, unit, dto.name ?? current.name, disabled],
    );
    // A disabled account, or one whose role or unit changed, signs in again.
    if (disabled || role !== current.role || unit !== current.unit) {
      await this.db.query('DELETE FROM user_session WHERE username = $1', [username]);
    }
    return userView(row);
  }

  /**
   * A forgotten password: a new one-time password, answered once, to be replaced at the next
   * sign-in; the account's sessions end.
   */
  async resetPassword(username: string, by: Principal): Promise<{ user: UserView; initialPassword: string }> {
    const current = await this.find(username);
    if (!current) throw notFound(username);
    if (username === by.username) {
      const reason = '不能重置自己的密码，请用“修改密码”';
      throw new ConflictException(errorBody(409, reason, [{ field: 'username', reason }]));
    }
    const password = initialPassword();
    const [[row]]: [UserRow[], number] = await this.db.query(
      `UPDATE app_user SET password_hash = $2, must_change_password = true, updated_at = now() WHERE username = $1 RETURNING *`,
      [username, await hashPassword(password)],
    );
    await this.db.query('DELETE FROM user_session WHERE username = $1', [username]);
    return { user: userView(row), initialPassword: password };
  }

  async changePassword(by: Principal, current: string, next: string, keepSession: string | null): Promise<void> {
    if (!by.username) {
      const reason = '访问令牌没有密码；请用账号登录后修改密码';
      throw new ForbiddenException(errorBody(403, reason, [{ field: 'authorization', reason }]));
    }
    const row = await this.find(by.username);
    if (!row || !(await verifyPassword(row.password_hash, current))) {
      const reason = '当前密码不正确';
      throw new UnauthorizedException(errorBody(401, reason, [{ field: 'current', reason }]));
    }
    const problems = passwordProblems(next, row.username, 'new');
    if (next === current) problems.push({ field: 'new', reason: '新密码不能与当前密码相同' });
    if (problems.length) throw invalid(problems);
    await this.db.query(
      `UPDATE app_user SET password_hash = $2, must_change_password = false, updated_at = now() WHERE username = $1`,
      [row.username, await hashPassword(next)],
    );
    // Every other session of the account ends with the old password.
    await this.db.query('DELETE FROM user_session WHERE username = $1 AND id_hash IS DISTINCT FROM $2', [
      row.username,
      keepSession,
    ]);
  }
}

function notFound(username: string) {
  const reason = `没有用户 ${username}`;
  return new NotFoundException(errorBody(404, reason, [{ field: 'username', reason }]));
}
