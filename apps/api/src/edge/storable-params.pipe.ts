import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { errorBody } from '../http-errors';
import { firstProblem } from './storable';

/**
 * A global pipe, before validation: route parameters and query values hold no text the database
 * cannot store (NUL, unpaired surrogates) and no date outside 2000–2100, refused by their name
 * (`code`, `period`). Bodies were checked by the edge middleware right after parsing.
 */
@Injectable()
export class StorableParamsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param' && metadata.type !== 'query') return value;
    const problem = firstProblem(value, 4, metadata.data ?? '');
    if (problem) {
      const field = problem.field === 'body' ? (metadata.data ?? metadata.type) : problem.field;
      throw new BadRequestException(errorBody(400, `请求无效：${field}`, [{ field, reason: problem.reason }]));
    }
    return value;
  }
}
