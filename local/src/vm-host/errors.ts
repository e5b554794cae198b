/**
 * Errors that the HTTP layer turns into Freestyle-shaped bodies. The SDK picks its typed error
 * class from `code`, while Freestyle's OpenAPI schema documents `error`; we send both.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorBody(code: string, message: string): { code: string; message: string; error: string } {
  return { code, message, error: code };
}

export const vmNotFound = (vmId: string): ApiError =>
  new ApiError(404, "VM_NOT_FOUND", `VM ${vmId} not found`);

export const vmNotRunning = (vmId: string): ApiError =>
  new ApiError(400, "VM_NOT_RUNNING", `VM is not running: ${vmId}`);

export const identityNotFound = (identityId: string): ApiError =>
  new ApiError(404, "IDENTITY_NOT_FOUND", `Identity ${identityId} not found`);

export const permissionNotFound = (identityId: string, vmId: string): ApiError =>
  new ApiError(404, "VM_PERMISSION_NOT_FOUND", `Identity ${identityId} has no permission on VM ${vmId}`);

export const badRequest = (message: string, code = "BAD_REQUEST"): ApiError =>
  new ApiError(400, code, message);

/** Used by fault injection when the test gives a status but no code. */
export function defaultCodeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    default:
      return "INTERNAL_ERROR";
  }
}
