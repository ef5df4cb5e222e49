/** Where the server's log lines go; tests pass their own to read them. */
export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

/** One line per event on stderr: `sig serve [warn] ...`. */
export const consoleLogger: Logger = (level, message) => {
  process.stderr.write(`sig serve [${level}] ${message}\n`);
};
