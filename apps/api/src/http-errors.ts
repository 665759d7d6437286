import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  ValidationPipe,
  type ExceptionFilter,
} from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import type { Response } from 'express';
import { dependencyDown, type Dependency } from './infrastructure/dependency-down';

const RETRY_AFTER_SECONDS = 2;
const UNAVAILABLE: Record<Dependency, string> = {
  postgres: '数据库暂时不可用，本次操作未执行，请稍后重试',
  temporal: '工作流服务暂时不可用或未在时限内确认，请稍后用同一幂等键重试',
};

export interface FieldProblem {
  field: string;
  reason: string;
}

/** The API's one error shape: `{ statusCode, error, message, details: [{ field, reason }] }`. */
export function errorBody(statusCode: number, message: string, details: FieldProblem[] = []) {
  const error = (HttpStatus[statusCode] ?? 'Error')
    .toLowerCase()
    .replace(/(^|_)(\w)/g, (_, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase());
  return { statusCode, error, message, details };
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = /^\d+$/.test(e.property)
      ? `${prefix}[${e.property}]`
      : prefix
        ? `${prefix}.${e.property}`
        : e.property;
    const own = Object.values(e.constraints ?? {}).map((c) => ({
      // class-validator starts each message with the property's name; the field already says it.
      field,
      reason: c.startsWith(`${e.property} `) ? c.slice(e.property.length + 1) : c,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Validates bodies against their DTO classes; unknown fields are refused by name. */
/** A 400 naming one field, for checks the DTO validation cannot express. */
export function badRequest(field: string, reason: string): BadRequestException {
  return new BadRequestException(errorBody(400, `Invalid request: ${field}`, [{ field, reason }]));
}

export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const details = flatten(errors).map((d) =>
      d.reason.endsWith('should not exist') ? { ...d, reason: 'is not a known field' } : d,
    );
    const fields = [...new Set(details.map((d) => d.field))];
    return new BadRequestException(errorBody(400, `Invalid request: ${fields.join(', ')}`, details));
  },
});

/** Every error leaves in the one shape; anything unexpected is logged and answered 500. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let body: ReturnType<typeof errorBody>;
    if (exception instanceof HttpException) {
      const payload = exception.getResponse();
      body =
        typeof payload === 'object' && payload !== null && 'details' in payload
          ? (payload as ReturnType<typeof errorBody>)
          : errorBody(exception.getStatus(), exception.message, bodyProblem(exception.getStatus(), exception.message));
    } else if (isClientError(exception)) {
      // body-parser's errors (malformed JSON, too large) carry their own 4xx status.
      body = errorBody(exception.status, exception.message, bodyProblem(exception.status, exception.message));
    } else if (dependencyDown(exception)) {
      // Nothing was applied that the caller cannot repeat: a retry with the same Idempotency-Key is safe.
      const which = dependencyDown(exception)!;
      this.logger.warn(`${which} unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      body = errorBody(503, UNAVAILABLE[which], [{ field: which, reason: UNAVAILABLE[which] }]);
    } else {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      body = errorBody(500, '服务内部错误，请稍后重试；如持续出现请联系管理员');
    }
    res.status(body.statusCode).json(body);
  }
}

// A 400 without field details came from parsing the body itself (malformed JSON).
function bodyProblem(status: number, message: string): FieldProblem[] {
  return status === 400 ? [{ field: 'body', reason: message }] : [];
}

function isClientError(e: unknown): e is { status: number; message: string } {
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
