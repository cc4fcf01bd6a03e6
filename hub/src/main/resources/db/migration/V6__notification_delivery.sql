-- Notification delivery (docs/incident-loop.md#notifications): senders lease rows instead of
-- holding a row lock while they wait for a webhook or an SMTP server, and a notification that
-- cannot be delivered is escalated along the chain. Depends on V3 only.

ALTER TABLE notification_outbox
    -- A sender is sending this row until then, renewing it while the attempt lasts. Once it has
    -- passed with the row still pending, that sender stopped mid-send: any hub may claim it.
    ADD COLUMN claimed_until timestamptz,
    -- Which claim holds the row (notification_lease): only that claim records the attempt's
    -- outcome, so a sender whose lease ran out cannot overwrite a newer claim's.
    ADD COLUMN lease         bigint,
    -- The recipient's place in the escalation chain (0: responder, department, residents,
    -- 1: property managers, 2: street office): who is told when it cannot be delivered.
    ADD COLUMN level         smallint NOT NULL DEFAULT 0;

CREATE SEQUENCE notification_lease;

-- moot: it called someone to respond, and the step it chased was met (or the incident ended)
-- before it got through; nobody needs it any more.
ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_status_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'moot'));
