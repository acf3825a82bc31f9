CREATE OR REPLACE FUNCTION epicflow_event_notify()
RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- One notification per project whose events a statement wrote, sent on the channel
    -- `epicflow_events` when the transaction commits (identical ones of a transaction fold
    -- into one): every server process that listens wakes the requests waiting on the project.
    -- A claim taken makes no other task claimable, and a notifying commit queues behind every
    -- other one (PostgreSQL's notification queue lock): claims, serial per project, send none.
    PERFORM pg_notify('epicflow_events', written.project_id::text)
    FROM (SELECT DISTINCT project_id FROM added WHERE type <> 'claim.acquired') AS written;
    RETURN NULL;
END
$$
