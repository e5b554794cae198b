import type { FieldError, Problem } from "../schemas/problem.ts";

/**
 * Every failure of an API call: an error answer (its problem's status, title, detail and field
 * errors; `message` is the detail), an answer that is not what the contract says, or no answer at
 * all (`status` 0: the API could not be reached or did not answer in time).
 */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly fields: FieldError[];
  /** The whole problem document, with members some problems add (`workspaceStatus`, `allowedActions`…). */
  readonly problem: Partial<Problem> | null;

  constructor(init: {
    status: number;
    title: string;
    detail: string;
    fields?: FieldError[];
    problem?: Partial<Problem> | null;
    cause?: unknown;
  }) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.fields = init.fields ?? [];
    this.problem = init.problem ?? null;
  }

  /** True when no answer came back (network down, wrong host, timeout). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}
