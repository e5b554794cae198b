DROP INDEX "cloud_workspaces_branch_idx";--> statement-breakpoint
CREATE INDEX "cloud_workspaces_sync_checked_idx" ON "cloud_workspaces" USING btree ("status","sync_checked_at");