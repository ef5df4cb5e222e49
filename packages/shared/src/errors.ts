/**
 * An error caused by the user's input (bad argument, unreadable file, invalid image).
 * CLIs print its message as one line and exit non-zero; the server maps it to HTTP 4xx.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** HTTP status to use when the error reaches a client (4xx). */
    readonly status: number = 400,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** True for errors that carry a message meant for the user. */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
