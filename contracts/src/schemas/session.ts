import { z } from "zod";
import { clientTypeValues } from "../enums.ts";
import { issuedId, itemsOf, timestamp } from "./common.ts";

export const clientTypeSchema = z.enum(clientTypeValues);

export const JoinSession = z.object({ clientType: clientTypeSchema }).strict().meta({ id: "JoinSession" });
export type JoinSession = z.input<typeof JoinSession>;

export const JoinedSession = z
  .object({ sessionId: issuedId, heartbeatSeconds: z.number().int().positive() })
  .meta({ id: "JoinedSession" });
export type JoinedSession = z.infer<typeof JoinedSession>;

/** A live presence session on a workspace. */
export const Session = z
  .object({
    id: issuedId,
    userId: issuedId,
    clientType: clientTypeSchema,
    connectedAt: timestamp,
    lastHeartbeatAt: timestamp,
  })
  .meta({ id: "Session" });
export type Session = z.infer<typeof Session>;

export const SessionList = itemsOf(Session).meta({ id: "SessionList" });
export type SessionList = z.infer<typeof SessionList>;
