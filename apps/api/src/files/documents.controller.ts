import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { documentHtml } from '../../../../libs/domain/official-document';
import { documentDocx } from '../../../../libs/shared/files/docx';
import { attachment, DOCX_TYPE } from '../../../../libs/shared/files/xlsx';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { errorBody } from '../http-errors';
import { ObligationsService } from '../obligations/obligations.service';

const docId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new NotFoundException(errorBody(404, '没有这份文书', [{ field: 'docId', reason: '没有这份文书' }])),
});

/** A rung's document as a Word file and as an A4 page to print. */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('v1/documents')
export class DocumentsController {
  constructor(private readonly obligations: ObligationsService) {}

  @Get(':docId/docx')
  @Roles('supervisor', 'department', 'auditor')
  @ApiProduces(DOCX_TYPE)
  @ApiOperation({ summary: 'the document as a Word file (.docx, opens in Word and WPS)' })
  async docx(@Param('docId', docId) id: string, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const doc = await this.obligations.document(id, p);
    res.setHeader('content-type', DOCX_TYPE);
    res.setHeader('content-disposition', attachment(`${doc.title}（${doc.number}）.docx`, 'document.docx'));
    res.send(await documentDocx(doc.layout));
  }

  @Get(':docId/html')
  @Roles('supervisor', 'department', 'auditor')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'the document as an A4 print-ready page' })
  async html(@Param('docId', docId) id: string, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const doc = await this.obligations.document(id, p);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.send(documentHtml(doc.layout));
  }
}
