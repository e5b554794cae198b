import { z } from "zod";
import { activityStateValues } from "../enums.ts";
import { isSafeText, issuedId, itemsOf, SAFE_TEXT_MESSAGE, timestamp } from "./common.ts";
import { clientTypeSchema } from "./session.ts";

/**
 * Who keeps a workspace running: the people connected, the holds on it, and (derived from those by
 * `explainActivity` in `activity.ts`) why it is running or when it will stop.
 */

export const HOLD_MAX_MINUTES = 24 * 60;

/** A person connected to the workspace through one client (one presence session). */
export const ConnectedUser = z
  .object({
    sessionId: issuedId,
    userId: issuedId,
    name: z.string(),
    email: z.string(),
    clientType: clientTypeSchema,
    since: timestamp,
  })
  .meta({ id: "ConnectedUser" });
export type ConnectedUser = z.infer<typeof ConnectedUser>;

/** A hold: a long job keeping the workspace running until `until`, whoever is connected. */
export const Hold = z
  .object({
    id: issuedId,
    userId: issuedId,
    name: z.string().meta({ description: "The name of the user who placed it" }),
    reason: z.string(),
    until: timestamp,
    createdAt: timestamp,
  })
  .meta({ id: "Hold" });
export type Hold = z.infer<typeof Hold>;

export const HoldList = itemsOf(Hold).meta({ id: "HoldList" });
export type HoldList = z.infer<typeof HoldList>;

const holdReason = z.string().trim().min(1).max(200).refine(isSafeText, SAFE_TEXT_MESSAGE);

export const CreateHold = z
  .object({
    minutes: z.number().int().min(1).max(HOLD_MAX_MINUTES).optional().meta({
      description: "How long the hold lasts (1–1440 minutes); give this or `until`",
    }),
    until: z.iso.datetime({ offset: true }).optional().meta({
      description: "When the hold ends (ISO 8601, at most 24 hours ahead); give this or `minutes`",
    }),
    reason: holdReason.meta({ description: "What the hold is for, shown to everyone who looks" }),
  })
  .strict()
  .refine((h) => (h.minutes === undefined) !== (h.until === undefined), {
    message: "give exactly one of minutes and until",
    path: ["minutes"],
  })
  .meta({ id: "CreateHold" });
export type CreateHold = z.input<typeof CreateHold>;

/**
 * The workspace's presence as its presence object last wrote it through: the synced row carries it
 * (a `jsonb` column), so a client can explain the workspace's activity without asking the API.
 */
export const WorkspacePresence = z
  .object({ sessions: z.array(ConnectedUser), holds: z.array(Hold) })
  .meta({ id: "WorkspacePresence" });
export type WorkspacePresence = z.infer<typeof WorkspacePresence>;

export const activityStateSchema = z.enum(activityStateValues);

export const Activity = z
  .object({
    state: activityStateSchema.meta({
      description:
        "counting_down: nothing holds it and auto-stop acts at autoStopAt; held_by_sessions: someone is connected; held_by_holds: a hold is live; auto_stop_off; not_running",
    }),
    autoStopAt: timestamp.nullable().meta({
      description: "When idle auto-stop will act if nothing changes; null when it will not",
    }),
    sessions: z.array(ConnectedUser),
    holds: z.array(Hold).meta({ description: "Live holds (not yet ended)" }),
  })
  .meta({ id: "Activity" });
export type Activity = z.infer<typeof Activity>;
