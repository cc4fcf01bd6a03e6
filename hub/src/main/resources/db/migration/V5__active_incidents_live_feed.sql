-- A new alarm after resolution (docs/incident-loop.md) and the live feed (docs/console.md).
-- Depends on V1 and V3.

-- Active: someone is still working on it. A resolved incident is no longer an emergency, it waits
-- for its rating (is_open stays true: it is still in the loop and on the board). The one-per-device
-- rule covers active incidents only, so a new alarm from a device whose last incident of that type
-- is resolved opens a new incident, dispatched and notified, instead of being swallowed by the
-- resolved one.
ALTER TABLE incidents
    ADD COLUMN is_active boolean GENERATED ALWAYS AS (status IN ('open', 'dispatched', 'acknowledged', 'on_site')) STORED;
DROP INDEX incidents_one_open_per_device_type;
CREATE UNIQUE INDEX incidents_one_active_per_device_type ON incidents (device_id, type) WHERE is_active;
-- The old unique index was also how a device's incidents still in the loop were found (notes, the
-- site map, liveness); a resolved one is among them, so they keep an index of their own.
CREATE INDEX incidents_open_device_type_idx ON incidents (device_id, type) WHERE is_open;

-- The live feed follows the timeline (docs/console.md, "Live events"). Each entry records the
-- transaction that wrote it: transactions commit in any order, so a reader cannot go by seq (an
-- entry with a smaller seq may commit after one with a larger), but it can ask which entries'
-- transactions were not yet visible in the snapshot of its last read and are now. Old entries
-- get the migration's transaction, which every later snapshot sees as done.
ALTER TABLE incident_timeline ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX incident_timeline_tx_idx ON incident_timeline (tx);

-- A wake-up for every hub's reader, sent when the transaction commits (never for one that rolls
-- back). It carries nothing: the entries are read from the table, so a lost notification only
-- delays them until the reader's next periodic read.
CREATE FUNCTION notify_incident_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('incident_timeline', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER incident_timeline_notify AFTER INSERT ON incident_timeline
    FOR EACH STATEMENT EXECUTE FUNCTION notify_incident_timeline();
