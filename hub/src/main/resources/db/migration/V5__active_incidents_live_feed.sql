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
