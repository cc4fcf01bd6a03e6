-- Incident detection (docs/incidents.md): thresholds per community, groups of related incidents,
-- and when devices and gateways were last heard from.

-- Overrides of the code defaults (Threshold.java), per community. scope is a device type,
-- 'gateway' or 'community'. Absent rows mean "the default".
CREATE TABLE thresholds (
    community_id text             NOT NULL REFERENCES communities (id),
    scope        text             NOT NULL,
    key          text             NOT NULL,
    value        double precision NOT NULL,
    updated_at   timestamptz      NOT NULL DEFAULT now(),
    updated_by   text             NOT NULL,
    PRIMARY KEY (community_id, scope, key)
);

-- Related incidents: same building, close in time. A group with FIRE incidents of two or more
-- detectors is a confirmed fire.
CREATE TABLE incident_groups (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id text,
    building_id  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz
);
ALTER TABLE incidents ADD COLUMN group_id bigint REFERENCES incident_groups (id);
CREATE INDEX incidents_group_idx ON incidents (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX incidents_open_building_idx ON incidents (community_id, building_id, occurred_at) WHERE is_open;

-- Liveness, written every incident.liveness-interval by the hubs (not once per reading).
-- devices.last_seen_at and gateways.last_data_at are gateway receive times (the gateway's clock);
-- gateways.last_data_hub_at is the hub's time when last_data_at last advanced,
-- gateways.last_seen_at the hub's time the gateway was last seen connected, and
-- gateways.connected_at the hub's time its current connection was first seen.
ALTER TABLE devices ADD COLUMN last_seen_at timestamptz;
ALTER TABLE gateways ADD COLUMN last_data_at timestamptz;
ALTER TABLE gateways ADD COLUMN last_data_hub_at timestamptz;
ALTER TABLE gateways ADD COLUMN connected_at timestamptz;
