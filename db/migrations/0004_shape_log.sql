CREATE TABLE "shape_log" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "shape_log_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"txid" bigint DEFAULT (pg_current_xact_id()::text::bigint) NOT NULL,
	"shape" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"row_id" uuid NOT NULL,
	"operation" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shape_log_horizon" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"txid" bigint DEFAULT 0 NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "shape_log_horizon_single_row" CHECK ("shape_log_horizon"."id" = 1)
);
--> statement-breakpoint
CREATE INDEX "shape_log_read_idx" ON "shape_log" USING btree ("organization_id","shape","txid","seq");--> statement-breakpoint
CREATE INDEX "shape_log_created_idx" ON "shape_log" USING btree ("created_at");