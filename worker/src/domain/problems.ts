/**
 * Errors the API answers with, as RFC 9457 problem details. Thrown anywhere; rendered in one place
 * (`app.onError`). `errors` names the offending fields.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toJSON(instance?: string) {
    return {
      type: `/problems/${this.type}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

export const validationProblem = (errors: FieldError[], status = 400) =>
  new Problem(
    status,
    "validation",
    "Invalid request",
    errors.map((e) => `${e.field}: ${e.message}`).join("; "),
    { errors },
  );

export const notFound = (what: string) => new Problem(404, "not-found", "Not found", `${what} not found`);

export const unauthorized = (detail: string) => new Problem(401, "unauthorized", "Unauthorized", detail);

/**
 * A configured limit (named by its variable) would be exceeded: 429 for what frees itself in time
 * (live sessions, SSH grants), 422 for what the caller has to delete first (workspaces, tokens).
 */
export const limitReached = (name: string, max: number, detail: string, status: 422 | 429) =>
  new Problem(status, "limit-reached", "Limit reached", detail, { limit: { name, max } });
