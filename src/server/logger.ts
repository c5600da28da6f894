import { pino, type DestinationStream, type Logger } from 'pino';

/** pino's levels, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** True when `value` is one of {@link LOG_LEVELS}. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A JSON-lines logger writing to `destination` (one object per line, ISO time); `fields` go on every line (a worker's id and pid). */
export function createLogger(level: LogLevel, destination: DestinationStream, fields: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: 'recgym-server', ...fields }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
