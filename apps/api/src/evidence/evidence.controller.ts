/// <reference types="multer" />
import {
  BadRequestException,
  Controller,
  Get,
  Injectable,
  Param,
  NotFoundException,
  ParseUUIDPipe,
  PayloadTooLargeException,
  Post,
  Res,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { obligationId } from '../obligations/obligations.controller';
import { errorBody } from '../http-errors';
import { EvidenceService, evidenceContentType, MAX_EVIDENCE_BYTES } from './evidence.service';

const hasDetails = (err: BadRequestException) => {
  const body = err.getResponse();
  return typeof body === 'object' && body !== null && 'details' in body;
};

// File ids are UUIDs; anything else names no file.
const evidenceFileId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new NotFoundException(errorBody(404, '未找到该佐证文件', [{ field: 'fileId', reason: '该事项没有这个文件' }])),
});

/** Multer's and busboy's refusals, in Chinese (their own messages are English). */
function uploadProblem(message: string): string {
  if (/^Unexpected field/.test(message)) return `收到了其他字段：${message.split(' - ')[1] ?? ''}`;
  if (/Too many (files|parts|fields)/.test(message)) return '文件或字段过多';
  if (/Boundary not found|Malformed part header|Unexpected end of form/i.test(message))
    return '上传内容格式有误或不完整';
  return '上传内容无法读取';
}

/** Multer's upload of the `file` field, its size limit answered like every other bad field. */
@Injectable()
class EvidenceUpload implements NestInterceptor {
  private readonly multer = new (FileInterceptor('file', { limits: { fileSize: MAX_EVIDENCE_BYTES, files: 1 } }))();

  async intercept(ctx: ExecutionContext, next: CallHandler) {
    try {
      return await this.multer.intercept(ctx, next);
    } catch (err) {
      if (err instanceof PayloadTooLargeException)
        throw new PayloadTooLargeException(
          errorBody(413, '佐证文件过大', [{ field: 'file', reason: '不得超过 5 MiB' }]),
        );
      // Multer's and busboy's refusals of a malformed upload (a NUL in a part header, a bad boundary).
      if (err instanceof BadRequestException && !hasDetails(err))
        throw new BadRequestException(
          errorBody(400, '上传的文件无法读取', [
            {
              field: 'file',
              reason: `须为 multipart/form-data 中名为 file 的一个文件（${uploadProblem(err.message)}）`,
            },
          ]),
        );
      throw err;
    }
  }
}

@ApiTags('obligations')
@ApiBearerAuth()
@Controller('v1/obligations/:id/evidence')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Post()
  @Roles('department')
  @UseInterceptors(EvidenceUpload)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({
    summary: 'upload an evidence file (≤ 5 MiB) for the completion; answers { id, name, size, sha256, path }',
  })
  upload(
    @Param('id', obligationId) id: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.evidence.upload(id, file, p);
  }

  @Get(':fileId')
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({ summary: 'download an evidence file' })
  async download(
    @Param('id', obligationId) id: string,
    @Param('fileId', evidenceFileId) fileId: string,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const f = await this.evidence.download(id, fileId, p);
    // The uploader's bytes are never run as a page of this origin: a download, its type sniffed by
    // no browser, and sandboxed should anything open it anyway.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    return new StreamableFile(f.data, {
      type: evidenceContentType(f.mime),
      disposition: `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`,
    });
  }
}
