/// <reference types="multer" />
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Injectable,
  PayloadTooLargeException,
  Post,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { IMPORT_KIND_NAMES, IMPORT_KINDS, type ImportKind } from '../../../../libs/domain/import-rows';
import { attachment, XLSX_TYPE } from '../../../../libs/shared/files/xlsx';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { errorBody } from '../http-errors';
import { ImportsService } from './imports.service';

/** 10 MiB: a 10,000-row work-order export is about 1 MiB as .xlsx. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const KIND_REASON = `须为 ${IMPORT_KINDS.join('、')} 之一（${IMPORT_KINDS.map((k) => IMPORT_KIND_NAMES[k]).join('、')}）`;

export class ImportFieldsDto {
  @ApiPropertyOptional({ enum: IMPORT_KINDS, default: 'work_order' })
  @IsOptional()
  @IsIn(IMPORT_KINDS, { message: KIND_REASON })
  kind?: ImportKind;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'true: check every row, start nothing',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: '须为 true 或 false' })
  dryRun?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'first data row to take (0-based), for importing in batches' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '须为整数' })
  @Min(0, { message: '不能小于0' })
  offset?: number;

  @ApiPropertyOptional({ description: 'how many data rows to take from offset' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '须为整数' })
  @Min(1, { message: '不能小于1' })
  @Max(100_000, { message: '不能大于100000' })
  limit?: number;
}

export class TemplateQueryDto {
  @ApiPropertyOptional({ enum: IMPORT_KINDS, default: 'work_order' })
  @IsOptional()
  @IsIn(IMPORT_KINDS, { message: KIND_REASON })
  kind?: ImportKind;
}

/** Multer's upload of the `file` field, its size limit answered in Chinese. */
@Injectable()
class ImportUpload implements NestInterceptor {
  private readonly multer = new (FileInterceptor('file', { limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } }))();

  async intercept(ctx: ExecutionContext, next: CallHandler) {
    try {
      return await this.multer.intercept(ctx, next);
    } catch (err) {
      if (err instanceof PayloadTooLargeException)
        throw new PayloadTooLargeException(
          errorBody(413, '文件过大', [{ field: 'file', reason: `不超过${MAX_IMPORT_BYTES / 1024 / 1024} MiB` }]),
        );
      if (err instanceof BadRequestException) {
        const body = err.getResponse() as { details?: unknown };
        if (!body?.details)
          throw new BadRequestException(
            errorBody(400, '上传的文件无法读取', [
              { field: 'file', reason: '须为 multipart/form-data 中名为 file 的文件' },
            ]),
          );
      }
      throw err;
    }
  }
}

@ApiTags('files')
@ApiBearerAuth()
@Controller('v1/imports/obligations')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @HttpCode(200)
  @Roles('supervisor')
  @UseInterceptors(ImportUpload)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: '.xlsx, or .csv in UTF-8 (with or without BOM) or GBK' },
        kind: { type: 'string', enum: [...IMPORT_KINDS] },
        dryRun: { type: 'string', enum: ['true', 'false'] },
        offset: { type: 'integer' },
        limit: { type: 'integer' },
      },
    },
  })
  @ApiOperation({
    summary:
      '台账导入: each row starts its obligation (idempotent on the row’s key: ticket number; credit code; group, date and title), or is reported field by field; dryRun=true starts nothing',
  })
  @ApiOkResponse({
    description:
      '{ dryRun, kind, total, offset, created, existing, conflict, invalid, valid, rows: [{ row, status: created|existing|conflict|invalid|valid, key?, id?, details: [{ field, reason }] }] }',
  })
  run(
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() fields: ImportFieldsDto,
    @CurrentPrincipal() p: Principal,
  ) {
    if (!file)
      throw new BadRequestException(
        errorBody(400, '缺少文件', [{ field: 'file', reason: '须上传名为 file 的 .xlsx 或 .csv 文件' }]),
      );
    return this.imports.run(file.buffer, fields.kind ?? 'work_order', fields.dryRun === 'true', p, {
      offset: fields.offset ?? 0,
      limit: fields.limit,
    });
  }

  @Get('template.xlsx')
  @Roles('supervisor')
  @ApiProduces(XLSX_TYPE)
  @ApiOperation({
    summary: 'the columns to fill for a kind (work_order: 工单编号, 事项, 责任单位, 办理期限, 诉求人, 协办单位)',
  })
  async template(@Query() q: TemplateQueryDto, @Res() res: Response) {
    const kind = q.kind ?? 'work_order';
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader(
      'content-disposition',
      attachment(`${IMPORT_KIND_NAMES[kind]}导入模板.xlsx`, `${kind}-template.xlsx`),
    );
    res.send(await this.imports.template(kind));
  }
}
