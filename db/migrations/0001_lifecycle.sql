CREATE TYPE "public"."auto_stop_action" AS ENUM('pause', 'stop');--> statement-breakpoint
CREATE TYPE "public"."git_sync_status" AS ENUM('unknown', 'up_to_date', 'behind', 'ahead', 'dirty', 'diverged', 'error');--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ALTER COLUMN "created_at" SET DEFAULT date_trunc('milliseconds', now());--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "auto_stop_action" "auto_stop_action" DEFAULT 'pause' NOT NULL;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "connected_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "auto_stop_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "auto_stopped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "status_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "sync_status" "git_sync_status" DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "sync_message" text;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "local_head_sha" text;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "remote_head_sha" text;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "sync_checked_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "cloud_workspaces_auto_stop_idx" ON "cloud_workspaces" USING btree ("auto_stop_at") WHERE "cloud_workspaces"."auto_stop_at" is not null;--> statement-breakpoint
CREATE INDEX "cloud_workspaces_status_checked_idx" ON "cloud_workspaces" USING btree ("status","status_checked_at");--> statement-breakpoint
CREATE INDEX "cloud_workspaces_branch_idx" ON "cloud_workspaces" USING btree ("status","repository_id","branch");