export { type ApiClient, type ApiClientOptions, createApiClient } from "./api-client.ts";
export { ApiError } from "./api-error.ts";
