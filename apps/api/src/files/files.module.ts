import { Module } from '@nestjs/common';
import { BoardModule } from '../board/board.module';
import { ObligationsModule } from '../obligations/obligations.module';
import { ReferenceModule } from '../reference/reference.module';
import { DocumentsController } from './documents.controller';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

/** Files an office takes away and brings in: documents as Word and print, the 台账 out, work orders in. */
@Module({
  imports: [ObligationsModule, BoardModule, ReferenceModule],
  controllers: [DocumentsController, ExportsController, ImportsController],
  providers: [ExportsService, ImportsService],
})
export class FilesModule {}
