CREATE TABLE "deployment" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"deployment_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	CONSTRAINT "deployment_single_row" CHECK ("deployment"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "ssh_grants_live_org_idx" ON "ssh_grants" USING btree ("organization_id") WHERE "ssh_grants"."revoked_at" is null;