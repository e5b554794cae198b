/**
 * Test helpers that run anywhere, inside workerd included: no Node built-ins here.
 * Node-only helpers (git fixtures, PostgreSQL, the local stack) are in `@cw/testing/node`.
 */

export {
  answerText,
  checkFuzzAnswer,
  type FuzzContext,
  type FuzzRequest,
  fuzzRequests,
  operationsOf,
} from "./fuzz.ts";
export { percentile } from "./percentile.ts";
export { flip } from "./status-flip.ts";
export { type CallRecordView, controlClient, type FaultSpec } from "./vm-host-control.ts";
export { waitFor } from "./wait-for.ts";
export {
  type ReceivedRequest,
  type ReceivedView,
  type ReceiverBehavior,
  webhookReceiverClient,
} from "./webhook-receiver-control.ts";
