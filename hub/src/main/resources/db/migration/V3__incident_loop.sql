-- The closed loop (docs/incident-loop.md): dispatch, lifecycle, SLAs and escalation,
-- notifications, resident reports, audit log. Depends on V1 only (V2, detection, adds its
-- own objects; nothing here refers to them).

-- Staff accounts carry where they work and how to reach them. A grid worker with a grid sees
-- that grid; with a department, what was dispatched to that department.
ALTER TABLE users
    ADD COLUMN display_name text,
    ADD COLUMN grid         text,
    ADD COLUMN department   text,
    ADD COLUMN email        text,
    ADD COLUMN phone        text;

-- Where an incident was dispatched to. Set by the dispatcher; the timeline keeps the history.
ALTER TABLE incidents
    ADD COLUMN grid       text,
    ADD COLUMN department text,
    ADD COLUMN responder  text;
CREATE INDEX incidents_status_idx ON incidents (status) WHERE is_open;

-- A position, so entries written in one transaction (same now()) keep their order, and so a
-- poller can tell which entries it has seen.
ALTER TABLE incident_timeline ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX incident_timeline_action_idx ON incident_timeline (action, incident_id);

-- Append-only means append-only: the database refuses to rewrite history, whoever asks.
CREATE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END
$$;
CREATE TRIGGER incident_timeline_append_only BEFORE UPDATE OR DELETE ON incident_timeline
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- Responding departments. The webhook and e-mail are where dispatches to the department go.
CREATE TABLE departments (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    email       text,
    webhook_url text
);
INSERT INTO departments (id, name) VALUES
    ('property',   'Property management'),
    ('security',   'Property security'),
    ('electrical', 'Maintenance electricians'),
    ('municipal',  'Drainage and municipal works'),
    ('fire',       'Fire brigade contact');

-- Incident type (or REPORT_<category>) -> department; '*' is the default for any other type.
CREATE TABLE routing_rules (
    incident_type text PRIMARY KEY,
    department    text NOT NULL REFERENCES departments (id)
);
INSERT INTO routing_rules (incident_type, department) VALUES
    ('*',                 'property'),
    ('FIRE',              'fire'),
    ('DETECTOR_FAULT',    'electrical'),
    ('DETECTOR_TAMPER',   'security'),
    ('LOW_BATTERY',       'electrical'),
    ('COVER_DISPLACED',   'municipal'),
    ('FLOOD_RISK',        'municipal'),
    ('TOXIC_GAS',         'municipal'),
    ('ELECTRIC_LEAKAGE',  'electrical'),
    ('STRUCTURAL_TILT',   'electrical'),
    ('LAMP_FAULT',        'electrical'),
    ('DOOR_FORCED',       'security'),
    ('DOOR_HELD_OPEN',    'security'),
    ('BRUTE_FORCE',       'security'),
    ('DEVICE_OFFLINE',    'electrical'),
    ('GATEWAY_OFFLINE',   'electrical'),
    ('REPORT_FIRE_HAZARD','fire'),
    ('REPORT_FLOODING',   'municipal'),
    ('REPORT_MANHOLE',    'municipal'),
    ('REPORT_LIGHTING',   'electrical'),
    ('REPORT_SECURITY',   'security');

-- Who is on duty for a grid and department; grid '*' covers every grid of that department.
CREATE TABLE duty_roster (
    grid       text NOT NULL,
    department text NOT NULL REFERENCES departments (id),
    username   text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    PRIMARY KEY (grid, department)
);

-- SLAs per severity, in seconds from the incident's opening (or reopening).
CREATE TABLE sla_policies (
    severity      text PRIMARY KEY,
    acknowledge_s integer NOT NULL CHECK (acknowledge_s > 0),
    on_site_s     integer NOT NULL CHECK (on_site_s > 0),
    resolve_s     integer NOT NULL CHECK (resolve_s > 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    text NOT NULL DEFAULT 'system'
);
INSERT INTO sla_policies (severity, acknowledge_s, on_site_s, resolve_s) VALUES
    ('critical',     300,    900,   7200),   -- 5 min, 15 min, 2 h
    ('major',        900,   3600,  28800),   -- 15 min, 1 h, 8 h
    ('minor',       3600,  14400, 259200),   -- 1 h, 4 h, 3 d
    ('info',       14400,  86400, 604800);   -- 4 h, 1 d, 7 d

-- One row per incident and step. due_at is the SLA deadline; next_at is when the scheduler
-- next escalates (null once the step is met or the chain is exhausted). In the database so
-- that an escalation survives a hub restart.
CREATE TABLE incident_deadlines (
    incident_id bigint      NOT NULL REFERENCES incidents (id),
    step        text        NOT NULL CHECK (step IN ('acknowledge', 'on_site', 'resolve')),
    due_at      timestamptz NOT NULL,
    period_s    integer     NOT NULL,
    next_at     timestamptz,
    level       integer     NOT NULL DEFAULT 0,
    met_at      timestamptz,
    PRIMARY KEY (incident_id, step)
);
CREATE INDEX incident_deadlines_next_idx ON incident_deadlines (next_at) WHERE next_at IS NOT NULL;

-- Residents, registered by staff. A resident with a smartphone gets a user account (role
-- resident) to report and rate; one without is reached by SMS and reports by phone.
CREATE TABLE residents (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    community_id text NOT NULL,
    building_id  text NOT NULL,
    phone        text,
    email        text,
    notify_by    text NOT NULL DEFAULT 'sms' CHECK (notify_by IN ('sms', 'email', 'none')),
    username     text UNIQUE REFERENCES users (username) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    FOREIGN KEY (community_id, building_id) REFERENCES buildings (community_id, id)
);
CREATE INDEX residents_building_idx ON residents (community_id, building_id);

-- Photos are content-addressed (SHA-256), never stored under a client's file name.
CREATE TABLE report_photos (
    sha256       bytea PRIMARY KEY,
    content_type text    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes        bytea   NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE report_categories (
    category text PRIMARY KEY,
    label    text NOT NULL,
    severity text NOT NULL
);
INSERT INTO report_categories (category, label, severity) VALUES
    ('fire_hazard', 'Fire hazard (blocked exit, smell of burning)', 'major'),
    ('flooding',    'Flooding or blocked drain',                    'major'),
    ('manhole',     'Missing or broken manhole cover',              'major'),
    ('lighting',    'Broken street or stairwell light',             'minor'),
    ('security',    'Security (broken door, stranger)',             'minor'),
    ('sanitation',  'Rubbish, sanitation',                          'minor'),
    ('other',       'Anything else',                                'minor');

-- A resident report, from the app (channel app) or entered by staff (channel phone).
CREATE TABLE reports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  bigint NOT NULL UNIQUE REFERENCES incidents (id),
    category     text   NOT NULL REFERENCES report_categories (category),
    text         text   NOT NULL,
    location     text,
    channel      text   NOT NULL CHECK (channel IN ('app', 'phone')),
    resident_id  bigint REFERENCES residents (id),
    caller_name  text,
    caller_phone text,
    entered_by   text   NOT NULL,
    photo_sha256 bytea  REFERENCES report_photos (sha256),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Fire alerts already sent to a building's residents: one per incident, whichever hub sends it.
CREATE TABLE resident_alerts (
    incident_id bigint PRIMARY KEY REFERENCES incidents (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    recipients  integer NOT NULL
);

-- Notifications to send. Rows survive a restart; the sender retries with back-off.
CREATE TABLE notification_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id     bigint REFERENCES incidents (id),
    event           text        NOT NULL,
    channel         text        NOT NULL,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending';

-- Every attempt, successful or not.
CREATE TABLE notification_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id   bigint      NOT NULL REFERENCES notification_outbox (id),
    incident_id bigint,
    channel     text        NOT NULL,
    recipient   text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    outcome     text        NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    error       text
);
CREATE INDEX notification_attempts_incident_idx ON notification_attempts (incident_id, at);

-- Who did what, and who read whose personal data. Append-only like the timeline.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text        NOT NULL,
    action       text        NOT NULL,
    subject_type text        NOT NULL,
    subject_id   text,
    details      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
