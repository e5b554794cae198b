-- The synced row (cloud_workspaces_shape_row, migration 0005) gains the git poller's counts of work
-- only the VM holds: uncommitted and untracked files, commits on no remote branch, stashes.
-- Integers as text, like connected_count; null until the poller has looked.
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
    'created_at', shape_timestamp(w.created_at),
    'updated_at', shape_timestamp(w.updated_at)
  )
$$ LANGUAGE sql STABLE;
