import { Body, Controller, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsArray, Matches } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { CalendarService } from './calendar.service';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class YearScheduleDto {
  @ApiProperty({
    type: [String],
    example: ['2027-01-01', '2027-02-06'],
    description: 'days off besides weekends (YYYY-MM-DD)',
  })
  @IsArray()
  @Matches(DAY, { each: true, message: 'each must be a date YYYY-MM-DD' })
  holidays!: string[];

  @ApiProperty({ type: [String], example: ['2027-02-14'], description: 'make-up working days (调休) on weekends' })
  @IsArray()
  @Matches(DAY, { each: true, message: 'each must be a date YYYY-MM-DD' })
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

  @Put(':year')
  @Roles('admin')
  @ApiOperation({
    summary: 'load a year’s official holiday schedule (国务院办公厅 notice); replaces the library’s data for that year',
  })
  @ApiOkResponse({ description: 'the calendar after the change' })
  async put(@Param('year', ParseIntPipe) year: number, @Body() dto: YearScheduleDto) {
    await this.calendar.load({ year, holidays: dto.holidays, workdays: dto.workdays });
    return this.get();
  }
}
