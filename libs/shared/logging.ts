import pino, { type Logger } from 'pino';
import { IllegalStateError } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString, type LogLevel, type LogMetadata } from '@temporalio/worker';

/**
 * Credentials wherever a line could carry them (a request's or a response's headers, a config
 * object): replaced before the line is written. The API's request lines carry no headers at all;
 * this is the net under every other line.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'token',
  'adminToken',
  'DUBAN_ADMIN_TOKEN',
  'config.DUBAN_ADMIN_TOKEN',
];

/**
 * Structured JSON logs, one line per event; `service` tells the API's lines from the worker's.
 * `destination` is where lines go (standard output unless a test captures them).
 */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

const LEVELS: Record<LogLevel, pino.Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal SDK's logs (worker, workflow and activity lines, which carry the
 * workflowId in their metadata) into pino. The SDK allows one Runtime per process, fixed on
 * first use: call this before anything else touches Temporal.
 */
export function installTemporalLogging(logger: Logger): void {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[LEVELS[level]]({ ...meta }, message);
  try {
    Runtime.install({
      logger: {
        log,
        trace: (m, meta) => log('TRACE', m, meta),
        debug: (m, meta) => log('DEBUG', m, meta),
        info: (m, meta) => log('INFO', m, meta),
        warn: (m, meta) => log('WARN', m, meta),
        error: (m, meta) => log('ERROR', m, meta),
      },
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
      },
    });
  } catch (err) {
    // Already installed (a second worker in this process): the first routing stays.
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

/** Runs a process's main; a failure to start is logged as one fatal JSON line and exits 1. */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    createLogger(service, 'info').fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
