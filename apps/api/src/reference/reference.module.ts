import { Module } from '@nestjs/common';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';
import { IndicatorRanksController } from './indicator-ranks.controller';
import { IndicatorRanksService } from './indicator-ranks.service';
import { KindsController } from './kinds.controller';
import { OrganisationController } from './organisation.controller';
import { OrganisationService } from './organisation.service';

/** The district as data: kinds, units, groups, indicators and their ranks, the working-day calendar. */
@Module({
  controllers: [KindsController, OrganisationController, CalendarController, IndicatorRanksController],
  providers: [OrganisationService, CalendarService, IndicatorRanksService],
  exports: [OrganisationService, CalendarService],
})
export class ReferenceModule {}
