/**
 * The logger the runtime writes to: the subset of pino's API it uses (structured fields first,
 * then the message). The CLI passes a pino logger writing JSON lines to stdout; tests pass
 * `silentLog` or a collecting logger.
 */
export interface Log {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

const noop = (): void => {};

export const silentLog: Log = { debug: noop, info: noop, warn: noop, error: noop };
