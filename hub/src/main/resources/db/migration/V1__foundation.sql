-- The foundation schema: registry, readings, uplink idempotency, incidents, accounts.
-- The hub creates the timescaledb extension (when the server offers it) before this runs;
-- readings then becomes a hypertable, otherwise (or with HUB_DB_TIMESCALE=off, which sets
-- the hypertables placeholder to false) a plain table with the same columns.

CREATE TABLE communities (
    id   text PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE buildings (
    community_id text NOT NULL REFERENCES communities (id),
    id           text NOT NULL,
    name         text NOT NULL,
    grid         text,
    PRIMARY KEY (community_id, id)
);

CREATE TABLE gateways (
    id           text PRIMARY KEY,
    community_id text REFERENCES communities (id),
    name         text,
    secret_hash  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz
);

-- Device ids are unique hub-wide (vendors' serials); docs/site-file.md says so.
CREATE TABLE devices (
    id           text PRIMARY KEY,
    community_id text,
    type         text NOT NULL,
    building_id  text,
    gateway_id   text,
    location     text,
    interval_s   integer,
    provisioned  boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE readings (
    time        timestamptz NOT NULL,   -- device time, or receive time when absent or skewed
    received_at timestamptz NOT NULL,   -- gateway receive time ("rx")
    device_ts   timestamptz,            -- device time as sent ("ts")
    gateway_id  text        NOT NULL,
    device_id   text        NOT NULL,
    device_type text        NOT NULL,
    kind        text        NOT NULL,   -- telemetry | event | status
    seq         bigint,
    flags       text[],
    data        jsonb       NOT NULL
);

DO $$
BEGIN
    IF '${hypertables}' = 'true' AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM create_hypertable('readings', 'time', chunk_time_interval => interval '1 day');
    ELSE
        CREATE INDEX readings_time_idx ON readings (time DESC);
    END IF;
END
$$;
CREATE INDEX readings_device_time_idx ON readings (device_id, time DESC);

-- One row per stored batch: the uplink's idempotency key (docs/uplink.md).
CREATE TABLE uplink_batches (
    gateway_id  text        NOT NULL,
    batch_id    text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    readings    integer     NOT NULL,
    rejected    integer     NOT NULL,
    PRIMARY KEY (gateway_id, batch_id)
);

CREATE TABLE incidents (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         text        NOT NULL,
    severity     text        NOT NULL,
    status       text        NOT NULL DEFAULT 'open',
    is_open      boolean     GENERATED ALWAYS AS (status NOT IN ('closed', 'cancelled')) STORED,
    community_id text,
    building_id  text,
    device_id    text,
    gateway_id   text,
    occurred_at  timestamptz NOT NULL,  -- time of the reading that raised it
    opened_at    timestamptz NOT NULL DEFAULT now(),
    summary      text        NOT NULL,
    details      jsonb       NOT NULL DEFAULT '{}'
);
-- At most one open incident per device and type, whatever number of hub threads or hub
-- instances race to open it: the database decides, not the application.
CREATE UNIQUE INDEX incidents_one_open_per_device_type ON incidents (device_id, type) WHERE is_open;
CREATE INDEX incidents_opened_idx ON incidents (opened_at DESC);

-- Append-only: every step of an incident's life, with who did it.
CREATE TABLE incident_timeline (
    incident_id bigint      NOT NULL REFERENCES incidents (id),
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    action      text        NOT NULL,
    details     jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_timeline_incident_idx ON incident_timeline (incident_id, at);

CREATE TABLE users (
    username      text PRIMARY KEY,
    password_hash text        NOT NULL,
    role          text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens are random; only their SHA-256 is stored, so a database leak does not leak sessions.
CREATE TABLE api_tokens (
    token_sha256 bytea PRIMARY KEY,
    username     text        NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
