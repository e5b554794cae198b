-- Holds count as activity: auto_stop_at (migration 0002) is now the later of the last activity and
-- the end of the last hold the presence object wrote through, plus auto_stop_minutes. The contract's
-- autoStopAtOf (contracts/src/activity.ts) states the same rule for clients.
CREATE OR REPLACE FUNCTION cloud_workspaces_auto_stop_at() RETURNS trigger AS $$
DECLARE
  last_hold_end timestamptz;
BEGIN
  SELECT max((h->>'until')::timestamptz) INTO last_hold_end
    FROM jsonb_array_elements(NEW.presence->'holds') h;
  NEW.auto_stop_at := CASE
    WHEN NEW.status = 'running' AND NEW.auto_stop_minutes > 0 AND NEW.connected_count = 0
      THEN greatest(NEW.last_active_at, last_hold_end) + make_interval(mins => NEW.auto_stop_minutes)
    ELSE NULL
  END;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER cloud_workspaces_auto_stop_at ON cloud_workspaces;
--> statement-breakpoint
CREATE TRIGGER cloud_workspaces_auto_stop_at
  BEFORE INSERT OR UPDATE OF status, auto_stop_minutes, connected_count, last_active_at, presence
  ON cloud_workspaces
  FOR EACH ROW EXECUTE FUNCTION cloud_workspaces_auto_stop_at();
--> statement-breakpoint
-- The synced row gains `presence` (who is connected, which holds), as JSON text like every value.
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
    'uncommitted_files', w.uncommitted_files::text,
    'untracked_files', w.untracked_files::text,
    'unpushed_commits', w.unpushed_commits::text,
    'stashes', w.stashes::text,
    'presence', w.presence::text,
    'created_at', shape_timestamp(w.created_at),
    'updated_at', shape_timestamp(w.updated_at)
  )
$$ LANGUAGE sql STABLE;
