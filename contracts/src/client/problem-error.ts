import { Problem } from "../schemas/problem.ts";
import { ApiError } from "./api-error.ts";

// Lenient on purpose: whatever part of a problem arrived is worth showing.
const PartialProblem = Problem.partial();

/** The `ApiError` for an error answer: its problem's words, or the status line when it sent none. */
export function problemError(status: number, statusText: string, body: string): ApiError {
  let problem: ReturnType<typeof PartialProblem.parse> | null = null;
  try {
    const parsed = PartialProblem.safeParse(JSON.parse(body));
    if (parsed.success) problem = parsed.data;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to the status line.
  }
  const statusLine = `The API answered ${status} ${statusText}`.trim();
  return new ApiError({
    status,
    title: problem?.title || statusText || "Error",
    detail: problem?.detail || problem?.title || statusLine,
    fields: problem?.errors ?? [],
    problem,
  });
}
