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
    const own = Object.entries(e.constraints ?? {}).map(([constraint, message]) => ({
      field,
      reason: chineseReason(constraint, message, e.property),
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const CJK = /[\u4e00-\u9fff]/;
const numbers = (s: string) => [...s.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => m[0]);

/**
 * class-validator's default messages are English ("title must be a string"); the reason a person
 * reads is Chinese. A DTO's own message that is already Chinese stays as written.
 */
function chineseReason(constraint: string, message: string, property: string): string {
  if (CJK.test(message)) return message;
  const text = message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
  const [n] = numbers(text.replace(/^each value in /, ''));
  switch (constraint) {
    case 'whitelistValidation':
      return '不是可接受的字段';
    case 'isString':
      return '须为字符串';
    case 'isNotEmpty':
      return '不能为空';
    case 'isLength':
      return /longer/.test(text) ? `长度不得少于 ${n} 个字符` : `长度不得超过 ${n} 个字符`;
    case 'maxLength':
      return `长度不得超过 ${n} 个字符`;
    case 'minLength':
      return `长度不得少于 ${n} 个字符`;
    case 'isIn':
      return `须为以下取值之一：${text
        .replace(/^.*following values: /, '')
        .split(', ')
        .join('、')}`;
    case 'matches':
      return '格式不正确';
    case 'min':
      return `不得小于 ${n}`;
    case 'max':
      return `不得大于 ${n}`;
    case 'isInt':
      return '须为整数';
    case 'isNumber':
      return '须为数字';
    case 'isBoolean':
      return '须为布尔值（true 或 false）';
    case 'isArray':
      return '须为数组';
    case 'isObject':
      return '须为对象';
    case 'arrayMinSize':
      return `至少须有 ${n} 项`;
    case 'arrayMaxSize':
      return `不得超过 ${n} 项`;
    case 'nestedValidation':
      return '须为对象或数组';
    case 'isUrl':
      return '须为完整的网址（含 http:// 或 https://）';
    case 'isUuid':
      return '须为 UUID';
    case 'isEnum':
      return '不是可接受的取值';
    default:
      return '取值无效';
  }
}

/** The 400's message: a Chinese sentence, with the field paths beside it for programs. */
export function invalidRequest(fields: string[]): string {
  return `请求参数有误：${[...new Set(fields)].join('、')}`;
}

/** A 400 naming one field, for checks the DTO validation cannot express. */
export function badRequest(field: string, reason: string): BadRequestException {
  return new BadRequestException(errorBody(400, invalidRequest([field]), [{ field, reason }]));
}

/** Validates bodies against their DTO classes; unknown fields are refused by name. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const details = flatten(errors);
    return new BadRequestException(errorBody(400, invalidRequest(details.map((d) => d.field)), details));
  },
});

/** What a status means to the person reading it, when nothing more specific was said. */
const STATUS_MESSAGES: Record<number, string> = {
  400: '请求有误',
  401: '未登录或登录已失效，请重新登录',
  403: '无权执行此操作',
  404: '未找到请求的资源',
  405: '不支持该请求方法',
  406: '无法按请求的格式应答',
  408: '请求超时，请重试',
  409: '与事项当前状态冲突',
  410: '请求的资源已不存在',
  411: '请求须注明长度',
  413: '请求体过大',
  415: '不支持的请求体类型',
  422: '请求无法处理',
  429: '请求过于频繁，请稍后再试',
  503: '服务暂时不可用，请稍后重试',
};
const statusMessage = (status: number) => STATUS_MESSAGES[status] ?? `请求失败（${status}）`;

/**
 * An error that did not come in the one shape (Nest's own 404 for an unknown route, a pipe's
 * default refusal, a library's HttpException): said again in Chinese, its field named.
 */
function reshaped(status: number, message: string): ReturnType<typeof errorBody> {
  const route = /^Cannot (\w+) (\S+)$/.exec(message);
  if (status === 404 && route) {
    return errorBody(404, `未找到接口：${route[1]} ${route[2].split('?')[0]}`, [
      { field: 'path', reason: '没有这个接口' },
    ]);
  }
  if (status === 400 && /^Validation failed/.test(message)) {
    const expected = /\((\w+)[^)]* is expected\)/.exec(message)?.[1];
    const reason = expected === 'numeric' ? '须为整数' : expected === 'uuid' ? '须为 UUID' : '取值无效';
    return errorBody(400, invalidRequest(['param']), [{ field: 'param', reason }]);
  }
  if (status === 400)
    return errorBody(400, '请求体无法解析', [{ field: 'body', reason: '请求体无法解析，请检查格式' }]);
  if (CJK.test(message)) return errorBody(status, message);
  return errorBody(status, statusMessage(status));
}

/** Whatever a handler wrote, the message a person reads is a Chinese sentence. */
function inChinese(body: ReturnType<typeof errorBody>): ReturnType<typeof errorBody> {
  if (CJK.test(body.message)) return body;
  const fields = [...new Set((body.details ?? []).map((d) => d.field))];
  return {
    ...body,
    message: fields.length ? `${statusMessage(body.statusCode)}：${fields.join('、')}` : statusMessage(body.statusCode),
  };
}

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
          : reshaped(exception.getStatus(), exception.message);
    } else if (isClientError(exception)) {
      // body-parser's errors (malformed JSON, too large) carry their own 4xx status.
      body = reshaped(exception.status, exception.message);
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
    // An error is JSON even where the route declared another type (a report's HTML, a Word file).
    res.status(body.statusCode).type('application/json').json(inChinese(body));
  }
}

function isClientError(e: unknown): e is { status: number; message: string } {
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
