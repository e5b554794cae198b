-- The built-in shape source (worker/src/shape/) reads rows through cloud_workspaces_shape_row, so
-- the synced columns and their wire format are decided here, once, for the snapshot, the change
-- trigger and the reader alike. Values are text (Electric's wire format); timestamps are ISO 8601
-- in UTC with milliseconds, like the HTTP API, whatever the writer's session TimeZone is.
-- Secrets and internals (idempotency key/fingerprint, provider VM id, lock times) are not listed.
CREATE OR REPLACE FUNCTION shape_timestamp(t timestamptz) RETURNS text AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$ LANGUAGE sql STABLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cloud_workspaces_shape_row(w cloud_workspaces) RETURNS jsonb AS $$
  SELECT jsonb_build_object(
    'id', w.id::text,
    'organization_id', w.organization_id::text,
    'repository_id', w.repository_id::text,
    'name', w.name,
    'branch', w.branch,
    'provider_type', w.provider_type::text,
    'status', w.status::text,
    'status_message', w.status_message,
    'operation', w.operation,
    'connected_count', w.connected_count::text,
    'auto_stop_minutes', w.auto_stop_minutes::text,
    'auto_stop_action', w.auto_stop_action::text,
    'auto_stop_at', shape_timestamp(w.auto_stop_at),
    'last_active_at', shape_timestamp(w.last_active_at),
    'sync_status', w.sync_status::text,
    'sync_message', w.sync_message,
    'local_head_sha', w.local_head_sha,
    'remote_head_sha', w.remote_head_sha,
    'created_at', shape_timestamp(w.created_at),
    'updated_at', shape_timestamp(w.updated_at)
  )
$$ LANGUAGE sql STABLE;
--> statement-breakpoint
-- One log entry per change a shape reader can see. Updates that touch only unsynced columns (the
-- cron's status_checked_at, sync_checked_at, lock times) write nothing, so they wake no client.
CREATE OR REPLACE FUNCTION cloud_workspaces_shape_log() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO shape_log (shape, organization_id, row_id, operation)
      VALUES ('workspaces', NEW.organization_id, NEW.id, 'insert');
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO shape_log (shape, organization_id, row_id, operation)
      VALUES ('workspaces', OLD.organization_id, OLD.id, 'delete');
  ELSIF cloud_workspaces_shape_row(OLD) IS DISTINCT FROM cloud_workspaces_shape_row(NEW) THEN
    -- A row moving between organizations leaves the old one's shape.
    IF OLD.organization_id IS DISTINCT FROM NEW.organization_id THEN
      INSERT INTO shape_log (shape, organization_id, row_id, operation)
        VALUES ('workspaces', OLD.organization_id, OLD.id, 'delete');
    END IF;
    INSERT INTO shape_log (shape, organization_id, row_id, operation)
      VALUES ('workspaces', NEW.organization_id, NEW.id, 'update');
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER cloud_workspaces_shape_log
  AFTER INSERT OR UPDATE OR DELETE ON cloud_workspaces
  FOR EACH ROW EXECUTE FUNCTION cloud_workspaces_shape_log();
--> statement-breakpoint
INSERT INTO shape_log_horizon (id, txid, seq) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING;
