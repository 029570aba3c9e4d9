/** The one error type of the API, rendered once by `app.onError` as `{error:{code,message,details}}`. */
import type { ApiErrorCode, FieldIssue } from "../../../protocol/index.js";

const STATUS: Record<ApiErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  RATE_LIMITED: 429,
};

export class ApiException extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: { issues?: FieldIssue[]; [k: string]: unknown },
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const notFound = (what: string, id: string) => new ApiException("NOT_FOUND", `${what} ${id} not found`);
