/**
 * Lookbook's typed errors. Every error a user can cause carries a stable code (LB_ERR_*),
 * an HTTP status for the server, and optionally the item / file it concerns.
 * The catalogue below is mirrored in docs/errors.md (a test keeps them in sync).
 */

export const ERROR_CATALOGUE = {
  LB_ERR_INVALID_ARGUMENT: { status: 400, message: 'An argument or option is invalid' },
  LB_ERR_NOT_FOUND: { status: 404, message: 'The requested item, user, outfit or model does not exist' },
  LB_ERR_CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  LB_ERR_UNAUTHORIZED: { status: 401, message: 'A valid API key is required for this request' },
  LB_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The upload or file is larger than the configured limit' },
  LB_ERR_IMAGE_DECODE: { status: 422, message: 'The file is not a decodable image' },
  LB_ERR_IMAGE_TOO_LARGE: { status: 422, message: 'The image has more pixels than the configured limit' },
  LB_ERR_IMAGE_EMPTY: { status: 422, message: 'The image file is empty' },
  LB_ERR_CATALOGUE_FORMAT: { status: 422, message: 'The catalogue metadata file cannot be read' },
  LB_ERR_CATALOGUE_COLUMN: { status: 422, message: 'A required catalogue column is missing' },
  LB_ERR_CATALOGUE_ROW: { status: 422, message: 'A catalogue row is invalid' },
  LB_ERR_OUTFIT_FORMAT: { status: 422, message: 'The outfit file is invalid' },
  LB_ERR_EVENT_FORMAT: { status: 422, message: 'The events file is invalid' },
  LB_ERR_LABEL_COLUMN: { status: 422, message: 'The label column is missing or has too few usable values' },
  LB_ERR_MODEL_MISSING: { status: 409, message: 'No trained model of this kind exists yet' },
  LB_ERR_MODEL_FORMAT: { status: 500, message: 'A saved model file is missing or corrupt' },
  LB_ERR_BACKBONE: { status: 500, message: 'The CNN backbone could not be prepared or run' },
  LB_ERR_DIMENSION: { status: 400, message: 'A vector has the wrong dimension' },
  LB_ERR_STORE: { status: 500, message: 'The store failed' },
  LB_ERR_STORE_SCHEMA: { status: 500, message: 'The store schema is newer than this version of Lookbook' },
  LB_ERR_DATA_MISSING: { status: 500, message: 'A required data set is missing' },
  LB_ERR_NO_FEATURES: { status: 409, message: 'The item has no CNN features yet (ingest it first)' },
  LB_ERR_INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface LookbookErrorOptions {
  cause?: unknown;
  /** The catalogue item, file or row the error concerns (shown in reports). */
  subject?: string;
  details?: Record<string, unknown>;
}

export class LookbookError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly subject?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, options: LookbookErrorOptions = {}) {
    super(message ?? ERROR_CATALOGUE[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LookbookError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.subject = options.subject;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.subject ? { subject: this.subject } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isLookbookError(e: unknown): e is LookbookError {
  return e instanceof LookbookError;
}

/** Turns anything thrown into a short human reason (for failure reports). */
export function reasonOf(e: unknown): string {
  if (e instanceof LookbookError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
