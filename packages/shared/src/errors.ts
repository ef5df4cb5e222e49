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

/** Why an image holds no single signature to read. */
export type NoSignatureReason = 'no-ink' | 'whole-form' | 'several-signatures';

/**
 * The image holds no single signature (blank, a whole form, several signatures): thrown by the shared
 * preprocessing before any model runs, so every route and the page refuse the same images. HTTP 422 with
 * `{ error, reason }`, `reason` being the code.
 */
export class NoSignatureError extends UserError {
  constructor(
    readonly reason: NoSignatureReason,
    message: string,
  ) {
    super(message, 422);
    this.name = 'NoSignatureError';
  }
}

/** True for a {@link NoSignatureError}. */
export function isNoSignatureError(err: unknown): err is NoSignatureError {
  return err instanceof NoSignatureError;
}
