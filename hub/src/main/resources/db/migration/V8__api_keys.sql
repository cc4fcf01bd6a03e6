-- API keys for other systems (docs/data-sharing.md). The key itself (cgk_<id>_<secret>) is shown
-- once; only its SHA-256 is kept. Revoked keys stay: the audit log names them (actor api_key:<id>).
-- Depends on V1 only.
CREATE TABLE api_keys (
    id              text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{10}$'),
    secret_sha256   bytea       NOT NULL,
    name            text        NOT NULL,
    owner           text        NOT NULL,   -- the system or organisation that holds it
    scopes          text[]      NOT NULL CHECK (cardinality(scopes) > 0),
    rate_per_minute integer     NOT NULL CHECK (rate_per_minute > 0),
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    revoked_by      text,
    last_used_at    timestamptz             -- written at most once a minute; the audit log has every use
);

-- The open-data aggregates (GET /api/open/aggregates) read every device's rows of a period.
CREATE INDEX readings_hourly_hour_idx ON readings_hourly (hour);
