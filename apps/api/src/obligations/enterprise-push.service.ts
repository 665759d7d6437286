import { ConflictException, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { EnterprisePushDto } from './enterprise-push.dto';
import { ObligationsService } from './obligations.service';

export interface PushOutcome {
  creditCode: string;
  outcome: 'created' | 'existing' | 'conflict' | 'invalid';
  id?: string;
  reason?: string;
}

/**
 * 新注册企业 push: one enterprise_contact obligation per enterprise, keyed on its credit code, so
 * pushing the same list again (or an enterprise in two pushes) starts nothing more.
 */
@Injectable()
export class EnterprisePushService {
  constructor(private readonly obligations: ObligationsService) {}

  async push(
    dto: EnterprisePushDto,
    p: Principal,
  ): Promise<{ created: number; existing: number; results: PushOutcome[] }> {
    const results: PushOutcome[] = [];
    for (const e of dto.enterprises) {
      try {
        const { state, created } = await this.obligations.create(
          {
            key: `enterprise-contact:${e.creditCode}`,
            kind: 'enterprise_contact',
            title: `新注册企业匹配服务：${e.name}`,
            unit: e.unit,
            startAt: dto.pushedAt,
            subject: { enterpriseName: e.name, creditCode: e.creditCode, registeredOn: e.registeredOn },
          },
          p,
        );
        results.push({ creditCode: e.creditCode, outcome: created ? 'created' : 'existing', id: state.id });
      } catch (err) {
        // One enterprise's bad data or clash must not hold back the rest of the list.
        const body = (
          err as { getResponse?: () => { details?: Array<{ field: string; reason: string }> } }
        ).getResponse?.();
        if (!body?.details) throw err;
        results.push({
          creditCode: e.creditCode,
          outcome: err instanceof ConflictException ? 'conflict' : 'invalid',
          reason: body.details.map((d) => `${d.field} ${d.reason}`).join('; '),
        });
      }
    }
    const count = (o: PushOutcome['outcome']) => results.filter((r) => r.outcome === o).length;
    return { created: count('created'), existing: count('existing'), results };
  }
}
