/**
 * Node-only test helpers. Worker tests use these from their global setup only (they run in Node);
 * the tests themselves run inside workerd and import `@cw/testing`.
 */
export { type DnsRecord, startDohServer, TEST_ZONE, type Zone } from "./doh-server.ts";
export { commit, createGitFixture, type GitFixture, git, originAndClone } from "./git.ts";
export { type GitHttpServer, startGitHttpServer } from "./git-http-server.ts";
export * from "./index.ts";
export { postgresAnswers, type TestPostgres, testPostgres } from "./postgres.ts";
export { type SilentServer, startSilentServer } from "./silent-server.ts";
export { startTestStack, type TestStack } from "./stack.ts";
export { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.ts";
