-- The console: browser sessions, site-plan positions, and the index the live board reads.
-- Depends on V1 only.

-- A signed-in browser. The cookie carries 256 random bits; only their SHA-256 is stored, so a
-- database leak does not leak sessions. csrf_token is the synchronizer token the console sends
-- back in X-CSRF-Token on every state-changing request; it is worthless without the cookie.
CREATE TABLE console_sessions (
    id_sha256    bytea PRIMARY KEY,
    username     text        NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    client       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at);

-- Optional positions on the community's site plan, 0..100 in both directions (docs/site-file.md).
ALTER TABLE buildings ADD COLUMN plan_x real, ADD COLUMN plan_y real;
ALTER TABLE devices ADD COLUMN plan_x real, ADD COLUMN plan_y real;

-- The board reads the open incidents among years of closed ones.
CREATE INDEX incidents_open_idx ON incidents (opened_at DESC, id DESC) WHERE is_open;

-- Hourly rollup of every device's numeric and boolean reading fields, for charts over days:
-- {"temp_c": [count, sum, min, max], ...} per device and hour. `readings` is how many readings
-- the device had in that hour when the row was computed; a chart compares it with the count in
-- readings now and recomputes the hour when a late reading arrived (telemetry.HourlyRollup).
-- TimescaleDB's continuous aggregates would do this, but not on its Apache-licensed build.
CREATE TABLE readings_hourly (
    device_id text        NOT NULL,
    hour      timestamptz NOT NULL,
    readings  integer     NOT NULL,
    fields    jsonb       NOT NULL,
    PRIMARY KEY (device_id, hour)
);

-- How far the background rollup has come: every hour before rolled_up_to is rolled up.
CREATE TABLE readings_hourly_progress (
    one          boolean PRIMARY KEY DEFAULT true CHECK (one),
    rolled_up_to timestamptz NOT NULL
);
