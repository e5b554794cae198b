-- auto_stop_at is derived: when idle auto-stop will act on a workspace, or null when it will not
-- (not running, auto-stop disabled, or someone connected). A trigger keeps it true whatever wrote
-- the row. (A generated column cannot: timestamptz + interval is not immutable.)
CREATE OR REPLACE FUNCTION cloud_workspaces_auto_stop_at() RETURNS trigger AS $$
BEGIN
  NEW.auto_stop_at := CASE
    WHEN NEW.status = 'running' AND NEW.auto_stop_minutes > 0 AND NEW.connected_count = 0
      THEN NEW.last_active_at + make_interval(mins => NEW.auto_stop_minutes)
    ELSE NULL
  END;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER cloud_workspaces_auto_stop_at
  BEFORE INSERT OR UPDATE OF status, auto_stop_minutes, connected_count, last_active_at
  ON cloud_workspaces
  FOR EACH ROW EXECUTE FUNCTION cloud_workspaces_auto_stop_at();
--> statement-breakpoint
UPDATE cloud_workspaces SET last_active_at = last_active_at;
