import { Module } from '@nestjs/common';
import { ObligationsModule } from '../obligations/obligations.module';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';

/** Evidence files a department uploads with its completion. */
@Module({
  imports: [ObligationsModule],
  controllers: [EvidenceController],
  providers: [EvidenceService],
})
export class EvidenceModule {}
