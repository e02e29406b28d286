/** The one shape of every error this server answers. */
export class ErrorResponseDto {
  /** HTTP status code. @example 400 */
  statusCode: number;
  /** HTTP reason phrase. @example "Bad Request" */
  error: string;
  /** What went wrong, naming the field or resource. @example "email must be an email" */
  message: string;
  /** A stable machine-readable code. @example "VALIDATION_FAILED" */
  code: string;
  /** Per-field problems for validation errors. */
  details?: unknown;
  /** The request id (also in the X-Request-Id header and the logs). */
  requestId: string;
}
