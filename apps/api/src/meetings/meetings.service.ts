import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import type { Principal } from '../auth/principal';
import { errorBody, invalidRequest } from '../http-errors';
import { obligationIdOf } from '../../../../libs/shared/obligation-id';
import { ObligationsService } from '../obligations/obligations.service';
import { OrganisationService } from '../reference/organisation.service';
import type { MeetingDto } from './meeting.dto';

export interface RecordedMeeting {
  id: string;
  group: string;
  date: string;
  items: Array<{ title: string; unit: string; dueAt: string; obligationId: string }>;
  created: boolean;
}

/** A group's weekly meeting: its minutes kept, each deployed item a meeting_item obligation. */
@Injectable()
export class MeetingsService {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    private readonly organisation: OrganisationService,
    private readonly obligations: ObligationsService,
  ) {}

  async record(dto: MeetingDto, by: Principal): Promise<RecordedMeeting> {
    const problems = [];
    if (!(await this.organisation.groups()).some((g) => g.code === dto.group))
      problems.push({ field: 'group', reason: '不是已登记的工作组（见 GET /v1/groups）' });
    const unknown = await this.organisation.unknownUnits(dto.items.map((i) => i.unit));
    dto.items.forEach(
      (item, i) =>
        unknown.has(item.unit) &&
        problems.push({ field: `items[${i}].unit`, reason: `不是已登记的单位（${item.unit}）` }),
    );
    if (problems.length)
      throw new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));

    // One meeting per group and day: the same call again answers the same, another body is a conflict.
    const id = obligationIdOf(`meeting:${dto.group}:${dto.date}`);
    const content = {
      group: dto.group,
      date: dto.date,
      attendees: dto.attendees,
      minutes: dto.minutes,
      items: dto.items,
    };
    const [existing] = await this.db.query(
      `SELECT group_code AS "group", to_char(date, 'YYYY-MM-DD') AS date, attendees, minutes, items FROM meeting WHERE id = $1`,
      [id],
    );
    if (existing && canonicalJson(existing) !== canonicalJson(JSON.parse(JSON.stringify(content)))) {
      throw new ConflictException(
        errorBody(409, `该工作组 ${dto.date} 的会议已按其他内容登记`, [
          { field: 'date', reason: '该工作组当日的会议已登记，内容不同' },
        ]),
      );
    }
    if (!existing) {
      await this.db.query(
        `INSERT INTO meeting (id, group_code, date, attendees, minutes, items, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [
          id,
          dto.group,
          dto.date,
          dto.attendees,
          dto.minutes,
          JSON.stringify(dto.items),
          JSON.stringify({ role: by.role, name: by.name }),
        ],
      );
    }
    const items = [];
    for (const [i, item] of dto.items.entries()) {
      const { state } = await this.obligations.create(
        {
          key: `meeting-item:${dto.group}:${dto.date}:${i + 1}`,
          kind: 'meeting_item',
          title: item.title,
          unit: item.unit,
          startAt: `${dto.date}T00:00:00+08:00`,
          dueAt: item.dueAt,
          subject: { group: dto.group, meetingDate: dto.date, minutesRef: id },
        },
        by,
      );
      items.push({ ...item, obligationId: state.id });
    }
    return { id, group: dto.group, date: dto.date, items, created: !existing };
  }
}
