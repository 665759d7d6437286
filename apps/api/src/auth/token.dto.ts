import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches, registerDecorator, type ValidationArguments } from 'class-validator';
import { ROLES, type Role } from './principal';

const UNIT_CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** `unit` is required for role department and must be absent for every other role. */
export function UnitFitsRole() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'unitFitsRole',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const role = (args.object as { role?: unknown }).role;
          if (role === 'department') {
            return typeof value === 'string' && value.length >= 1 && value.length <= 64 && UNIT_CODE.test(value);
          }
          return value === undefined || value === null;
        },
        defaultMessage(args: ValidationArguments) {
          const role = (args.object as { role?: unknown }).role;
          if (role !== 'department') return '除责任单位角色外不得填写单位';
          return args.value === undefined || args.value === null
            ? '责任单位角色须填写单位'
            : '须为 1 至 64 位的单位编码（字母、数字和 . _ : -）';
        },
      },
    });
}

export class CreateTokenDto {
  @ApiProperty({ enum: ROLES, example: 'department' })
  @IsIn(ROLES, { message: `须为以下之一：${ROLES.join('、')}` })
  role!: Role;

  @ApiPropertyOptional({
    example: 'district-power-supply',
    description: 'the unit a department token is bound to: required for role department, refused for the others',
  })
  @UnitFitsRole()
  unit?: string | null;

  @ApiProperty({ example: '区供电局 督办联络员', description: 'who holds the token (shown in audit trails)' })
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: '不能为空白' })
  name!: string;
}

/** A token as listed: never the token itself. */
export class TokenView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: String, nullable: true, example: 'district-power-supply' })
  unit!: string | null;

  @ApiProperty()
  name!: string;

  @ApiProperty({ example: '2026-11-24T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true })
  revokedAt!: string | null;
}

/** The answer to minting: the token, shown this once. */
export class MintedToken extends TokenView {
  @ApiProperty({
    example: 'dbn_3q2-7wE…',
    description: 'the bearer token; only its hash is kept, so it is shown this once',
  })
  token!: string;
}
