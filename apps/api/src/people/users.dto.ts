import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role } from '../auth/principal';
import { UnitFitsRole } from '../auth/token.dto';

export class CreateUserDto {
  @ApiProperty({ example: 'zhangsan', description: '登录名：小写字母开头，2–32 位小写字母、数字和 . _ -' })
  @IsString()
  @Length(2, 32)
  username!: string;

  @ApiProperty({ example: '张三', description: '姓名，出现在时间线、文书和审计日志中' })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: '不能为空' })
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'department' })
  @IsIn(ROLES, { message: `须为 ${ROLES.join('、')} 之一` })
  role!: Role;

  @ApiPropertyOptional({ example: 'district-power-supply', description: '部门账号所属单位（仅部门账号必填）' })
  @UnitFitsRole()
  unit?: string | null;

  @ApiPropertyOptional({ description: '初始密码；不给则生成一次性初始密码（只显示一次，首次登录须修改）' })
  @IsOptional()
  @IsString()
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `须为 ${ROLES.join('、')} 之一` })
  role?: Role;

  @ApiPropertyOptional({ type: String, nullable: true, description: '部门账号所属单位' })
  @IsOptional()
  @IsString()
  unit?: string | null;

  @ApiPropertyOptional({ description: 'true 停用账号（停用即退出所有会话；账号不删除，以保留审计记录）' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ example: '张三' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;
}

export class PasswordChangeDto {
  @ApiProperty() @IsString() @Length(1, 200) current!: string;
  @ApiProperty({ description: '至少 10 位，不能包含用户名' }) @IsString() @Length(1, 200) new!: string;
}

export class SignInDto {
  @ApiProperty({ example: 'zhangsan' }) @IsString() @Length(1, 64) username!: string;
  @ApiProperty() @IsString() @Length(1, 200) password!: string;
}

export class UserView {
  @ApiProperty() username!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) unit!: string | null;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ description: '须先修改初始密码' }) mustChangePassword!: boolean;
  @ApiProperty() createdAt!: string;
}
