/** Stable codes of recgym's domain faults; programs branch on these, not on messages. */
export const ErrorCode = {
  RESET_NEEDED: 'RECGYM_ERR_RESET_NEEDED',
  INVALID_ACTION: 'RECGYM_ERR_INVALID_ACTION',
  FILE_NOT_FOUND: 'RECGYM_ERR_FILE_NOT_FOUND',
  EMPTY_FILE: 'RECGYM_ERR_EMPTY_FILE',
  UNKNOWN_FORMAT: 'RECGYM_ERR_UNKNOWN_FORMAT',
  UNSUPPORTED_FILE: 'RECGYM_ERR_UNSUPPORTED_FILE',
  CORRUPT_FILE: 'RECGYM_ERR_CORRUPT_FILE',
  BAD_ROW: 'RECGYM_ERR_BAD_ROW',
  NO_EVENTS: 'RECGYM_ERR_NO_EVENTS',
  BAD_OPTION: 'RECGYM_ERR_BAD_OPTION',
  UNKNOWN_ENV: 'RECGYM_ERR_UNKNOWN_ENV',
  CLOSED: 'RECGYM_ERR_CLOSED',
  WRITE_FAILED: 'RECGYM_ERR_WRITE_FAILED',
  UNKNOWN_AGENT: 'RECGYM_ERR_UNKNOWN_AGENT',
  NO_TEST_CASES: 'RECGYM_ERR_NO_TEST_CASES',
  BAD_CHECKPOINT: 'RECGYM_ERR_BAD_CHECKPOINT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A domain fault with a stable `code`; the CLI prints its message without a stack trace. */
export class RecGymError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecGymError';
    this.code = code;
  }
}

/** True when `value` is a {@link RecGymError}, optionally of the given code. */
export function isRecGymError(value: unknown, code?: ErrorCode): value is RecGymError {
  return value instanceof RecGymError && (code === undefined || value.code === code);
}
