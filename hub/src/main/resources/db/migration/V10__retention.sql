-- Retention per kind of data (docs/retention.md), enforced by retention.RetentionTask.
-- Depends on V1 and V3.

-- The timeline and the audit log stay append-only, except for one thing: the retention task
-- deletes entries past their retention, in a transaction that says so first
-- (SET LOCAL communityguard.retention = 'on'). An UPDATE is refused whoever asks, and so is a
-- DELETE from any other transaction. This guards against mistakes, not against the database's
-- owner, who could drop the trigger.
CREATE OR REPLACE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('communityguard.retention', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END
$$;

-- A door-access reading's personal fields hold pseudonyms (psn1:..., docs/devices.md#privacy),
-- whatever their names and depth. Past retention.personal they are taken out of the reading:
-- every object member and array element that is such a string goes, the rest of the reading
-- (the event, the door's state) stays.
CREATE FUNCTION scrub_pseudonyms(doc jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    scrubbed jsonb;
BEGIN
    IF jsonb_typeof(doc) = 'object' THEN
        SELECT coalesce(jsonb_object_agg(key, scrub_pseudonyms(value)), '{}'::jsonb) INTO scrubbed
        FROM jsonb_each(doc)
        WHERE NOT (jsonb_typeof(value) = 'string' AND starts_with(value #>> '{}', 'psn1:'));
        RETURN scrubbed;
    ELSIF jsonb_typeof(doc) = 'array' THEN
        SELECT coalesce(jsonb_agg(scrub_pseudonyms(value) ORDER BY n), '[]'::jsonb) INTO scrubbed
        FROM jsonb_array_elements(doc) WITH ORDINALITY AS e(value, n)
        WHERE NOT (jsonb_typeof(value) = 'string' AND starts_with(value #>> '{}', 'psn1:'));
        RETURN scrubbed;
    END IF;
    RETURN doc;
END
$$;

-- How far the scrub has come: door-access readings before scrubbed_to have no pseudonyms left,
-- so a run reads only the days since (and a margin for late readings), not all of history.
CREATE TABLE retention_progress (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    scrubbed_to timestamptz NOT NULL
);

-- The uplink's batch keys go with the readings' retention: found by when they were received.
CREATE INDEX uplink_batches_received_idx ON uplink_batches (received_at);
