import {
  Body,
  Controller,
  Get,
  Param,
  ParseIntPipe,
  Put,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsArray, Matches } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { MAX_YEAR, MIN_YEAR, yearInRange } from '../edge/storable';
import { badRequest } from '../http-errors';
import { CalendarService } from './calendar.service';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

// A year the calendar may hold: four digits within the years the API accepts.
const calendarYear = new ParseIntPipe({
  exceptionFactory: () => badRequest('year', `须为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的年份`),
});
class CalendarYearPipe implements PipeTransform<string, Promise<number>> {
  async transform(value: string, metadata: ArgumentMetadata): Promise<number> {
    const year = await calendarYear.transform(value, metadata);
    if (!yearInRange(year)) throw badRequest('year', `须为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的年份`);
    return year;
  }
}

export class YearScheduleDto {
  @ApiProperty({
    type: [String],
    example: ['2027-01-01', '2027-02-06'],
    description: 'days off besides weekends (YYYY-MM-DD)',
  })
  @IsArray()
  @Matches(DAY, { each: true, message: '每一项须为日期 YYYY-MM-DD' })
  holidays!: string[];

  @ApiProperty({ type: [String], example: ['2027-02-14'], description: 'make-up working days (调休) on weekends' })
  @IsArray()
  @Matches(DAY, { each: true, message: '每一项须为日期 YYYY-MM-DD' })
  workdays!: string[];
}

@ApiTags('reference')
@ApiBearerAuth()
@Controller('v1/calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get()
  @Roles('supervisor', 'department', 'auditor', 'admin')
  @ApiOkResponse({ description: '{ overrides: [{ year, source, holidays, workdays, loadedAt }], missingYears }' })
  async get() {
    return { overrides: await this.calendar.overrides(), missingYears: await this.calendar.missingYears() };
  }

  @Get(':year')
  @Roles('supervisor', 'department', 'auditor', 'admin')
  @ApiOperation({
    summary: 'one year’s days off and make-up working days (调休) as deadlines use them, and their source',
  })
  @ApiOkResponse({
    description:
      '{ year, source: library|admin|file|weekends, loadedAt, holidays: [{ date, festival }], workdays: [{ date, festival }] }',
  })
  year(@Param('year', CalendarYearPipe) year: number) {
    return this.calendar.year(year);
  }

  @Put(':year')
  @Roles('admin')
  @ApiOperation({
    summary: 'load a year’s official holiday schedule (国务院办公厅 notice); replaces the library’s data for that year',
  })
  @ApiOkResponse({ description: 'the calendar after the change' })
  async put(@Param('year', CalendarYearPipe) year: number, @Body() dto: YearScheduleDto) {
    await this.calendar.load({ year, holidays: dto.holidays, workdays: dto.workdays });
    return this.get();
  }
}
