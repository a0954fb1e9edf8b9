/**
 * Structured JSON logs: contact id, step, duration, outcome — never transcript text or a raw
 * customer identifier (callers pass only such fields; the type keeps values to primitives).
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: Level, message: string, fields?: LogFields): void;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`), minLevel: Level = "info"): Logger {
  return {
    log(level, message, fields = {}) {
      if (ORDER[level] < ORDER[minLevel]) return;
      write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
    },
  };
}

export const silentLogger: Logger = { log() {} };
