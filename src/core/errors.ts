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
  /** Server protocol: a frame that is not a UTF-8 JSON object (binary, broken JSON). */
  BAD_FRAME: 'RECGYM_ERR_BAD_FRAME',
  /** Server protocol: a frame larger than the server's message limit. */
  FRAME_TOO_LARGE: 'RECGYM_ERR_FRAME_TOO_LARGE',
  /** Server protocol: a `type` the protocol does not define. */
  UNKNOWN_MESSAGE: 'RECGYM_ERR_UNKNOWN_MESSAGE',
  /** Server protocol: a known message whose fields fail validation (the zod issues come with it). */
  INVALID_MESSAGE: 'RECGYM_ERR_INVALID_MESSAGE',
  /** Server protocol: a request before a successful `hello`. */
  HELLO_REQUIRED: 'RECGYM_ERR_HELLO_REQUIRED',
  /** Server protocol: a missing or wrong token. */
  UNAUTHENTICATED: 'RECGYM_ERR_UNAUTHENTICATED',
  /** Server protocol: the client's protocol major version is not the server's. */
  PROTOCOL_MISMATCH: 'RECGYM_ERR_PROTOCOL_MISMATCH',
  /** Server protocol: an env handle this connection never made. */
  UNKNOWN_HANDLE: 'RECGYM_ERR_UNKNOWN_HANDLE',
  /** Server protocol: a single-env request on a vector handle or the reverse. */
  WRONG_HANDLE_KIND: 'RECGYM_ERR_WRONG_HANDLE_KIND',
  /** Server protocol: an env handle that was closed (by the client, or after its idle timeout). */
  ENV_CLOSED: 'RECGYM_ERR_ENV_CLOSED',
  /** Server protocol: more open envs (or vector slots) than the server allows per connection. */
  TOO_MANY_ENVS: 'RECGYM_ERR_TOO_MANY_ENVS',
  /** Server protocol: a request over the connection's rate limit (messages or bytes per second); the frame says when to retry. */
  RATE_LIMITED: 'RECGYM_ERR_RATE_LIMITED',
  /** Server protocol: the server failed on a valid request (logged there with its stack). */
  INTERNAL: 'RECGYM_ERR_INTERNAL',
  /** Client: the connection to the server failed, closed, or did not answer in time. */
  CONNECTION: 'RECGYM_ERR_CONNECTION',
  /** The server could not listen on its host and port. */
  LISTEN_FAILED: 'RECGYM_ERR_LISTEN_FAILED',
  /** Server protocol (1.2): a policy registration or recommendation the server cannot take (no arena, a taken name, an unknown request). */
  POLICY_REFUSED: 'RECGYM_ERR_POLICY_REFUSED',
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
