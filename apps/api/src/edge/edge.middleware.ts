import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { errorBody, type FieldProblem } from '../http-errors';
import { firstProblem, textProblem } from './storable';

/** Where JSON.parse gave up, said in Chinese (its own message is English). */
function jsonProblem(message: string): string {
  const at = /position (\d+)/.exec(message)?.[1];
  return at ? `不是有效的 JSON（第 ${Number(at) + 1} 个字符处有误）` : '不是有效的 JSON（内容不完整或格式有误）';
}

export interface EdgeLimits {
  /** Largest body accepted, in bytes (body-parser's `limit`). */
  maxBodyBytes: number;
  /** Deepest nesting of a JSON body accepted. */
  maxDepth: number;
}

function refused(field: string, reason: string): BadRequestException {
  return new BadRequestException(errorBody(400, `请求无效：${field}`, [{ field, reason }]));
}

/** body-parser's errors in the API's shape and in Chinese; its status stays (400, 413, 415). */
function parserError(err: { status?: number; type?: string; message?: string }, limits: EdgeLimits): HttpException {
  switch (err.type) {
    case 'entity.too.large':
      return new PayloadTooLargeException(
        errorBody(413, '请求体过大', [{ field: 'body', reason: `请求体不得超过 ${limits.maxBodyBytes} 字节` }]),
      );
    case 'entity.parse.failed':
      return new BadRequestException(
        errorBody(400, '请求体不是有效的 JSON', [{ field: 'body', reason: jsonProblem(err.message ?? '') }]),
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpException(
        errorBody(415, '不支持的请求体编码', [{ field: 'content-type', reason: '请求体须为 UTF-8 编码的 JSON' }]),
        415,
      );
    default: {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
      return new HttpException(
        errorBody(status, '请求体无法读取', [{ field: 'body', reason: '请求体无法读取，请重新发送' }]),
        status,
      );
    }
  }
}

// Each parser's errors leave through the API's error filter (Nest's error handler), translated.
function translated(parser: RequestHandler, limits: EdgeLimits): RequestHandler {
  return (req, res, next) =>
    parser(req, res, (err?: unknown) => next(err ? parserError(err as object, limits) : undefined));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are compared as stored (lower case): a path segment or a query value that is a whole UUID is
 * lower-cased before routing, so `/v1/obligations/ABC…` finds the same obligation, its history and
 * its audit entries. Nothing else in the URL is touched (a cursor keeps its case).
 */
function canonicalUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const lower = (part: string) => (UUID.test(part) ? part.toLowerCase() : part);
  const canonicalPath = path.split('/').map(lower).join('/');
  if (q < 0) return canonicalPath;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq + 1)}${lower(pair.slice(eq + 1))}`;
    })
    .join('&');
  return `${canonicalPath}?${query}`;
}

/**
 * A path segment that cannot be decoded (invalid UTF-8, which a parameter's name cannot be given
 * for: the router fails before). A decodable parameter's text is checked by StorableParamsPipe,
 * which knows its name.
 */
function pathProblem(path: string): FieldProblem | null {
  for (const segment of path.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return { field: 'path', reason: '路径含有无效的 UTF-8 编码' };
    }
  }
  return null;
}

/**
 * Checks every request before anything else reads it: the body's size (body-parser's limit, 413),
 * then, right after parsing and before any code recurses on it, its nesting depth and every
 * string at any depth (NUL, unpaired surrogates, dates outside 2000–2100), the query's values
 * and the path. A refusal is a 400 naming the field, in Chinese.
 */
export function edgeMiddleware(limits: EdgeLimits): RequestHandler[] {
  const json = express.json({ limit: limits.maxBodyBytes });
  // Flat forms only (no nesting to bound), as few clients send them.
  const form = express.urlencoded({ extended: false, limit: limits.maxBodyBytes });
  const check = (req: Request, _res: Response, next: NextFunction) => {
    try {
      req.url = canonicalUrl(req.url);
      const problem =
        pathProblem(req.path) ??
        Object.entries(req.query as Record<string, unknown>)
          .map(
            ([k, v]) => firstProblem(v, 4, k) ?? (textProblem(k) ? { field: 'query', reason: textProblem(k)! } : null),
          )
          .find((p) => p !== null) ??
        (req.body !== undefined ? firstProblem(req.body, limits.maxDepth) : null);
      next(problem ? refused(problem.field, problem.reason) : undefined);
    } catch (err) {
      // Never an exception out of a middleware: the error filter answers it.
      next(err);
    }
  };
  return [translated(json, limits), translated(form, limits), check];
}
