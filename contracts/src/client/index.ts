export { type ApiClient, type ApiClientOptions, createApiClient, type FetchLike } from "./api-client.ts";
export { ApiError } from "./api-error.ts";
