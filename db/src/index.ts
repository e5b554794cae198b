export {
  createOrganizationWithOwner,
  type Executor,
  generateApiToken,
  hashApiToken,
  issueApiToken,
  randomSecret,
  sha256Hex,
  TOKEN_PREFIX_LENGTH,
} from "./api-tokens.ts";
export { configureDriver, createDb, type Database, type DbEnv, type DbHandle } from "./client.ts";
export * as schema from "./schema/index.ts";
