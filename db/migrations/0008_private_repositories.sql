CREATE TYPE "public"."git_credential_scope" AS ENUM('user', 'organization');--> statement-breakpoint
CREATE TABLE "workspace_vm_credentials" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspace_vm_credentials_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
CREATE TABLE "git_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"scope" "git_credential_scope" NOT NULL,
	"user_id" uuid,
	"host" text NOT NULL,
	"username" text NOT NULL,
	"secret_key_id" text NOT NULL,
	"secret_iv" text NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"hint" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "git_credentials_owner" CHECK (("git_credentials"."scope" = 'user') = ("git_credentials"."user_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "uncommitted_files" integer;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "untracked_files" integer;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "unpushed_commits" integer;--> statement-breakpoint
ALTER TABLE "cloud_workspaces" ADD COLUMN "stashes" integer;--> statement-breakpoint
ALTER TABLE "workspace_vm_credentials" ADD CONSTRAINT "workspace_vm_credentials_workspace_id_cloud_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."cloud_workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "git_credentials" ADD CONSTRAINT "git_credentials_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "git_credentials" ADD CONSTRAINT "git_credentials_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "git_credentials_user_host_idx" ON "git_credentials" USING btree ("organization_id","user_id","host") WHERE "git_credentials"."scope" = 'user';--> statement-breakpoint
CREATE UNIQUE INDEX "git_credentials_org_host_idx" ON "git_credentials" USING btree ("organization_id","host") WHERE "git_credentials"."scope" = 'organization';--> statement-breakpoint
CREATE INDEX "git_credentials_key_idx" ON "git_credentials" USING btree ("secret_key_id");