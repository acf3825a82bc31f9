CREATE OR REPLACE FUNCTION epicflow_event_notify()
RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- One notification per project whose events a statement wrote, sent on the channel
    -- `epicflow_events` when the transaction commits (identical ones of a transaction fold
    -- into one): every server process that listens wakes the requests waiting on the project.
    PERFORM pg_notify('epicflow_events', written.project_id::text)
    FROM (SELECT DISTINCT project_id FROM added) AS written;
    RETURN NULL;
END
$$
