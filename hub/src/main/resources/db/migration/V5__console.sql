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
