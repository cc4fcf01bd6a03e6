-- The registry lists at most ingest.max-unprovisioned-devices devices in no site file per
-- gateway (storage.UnprovisionedDevices counts them whenever a new one is heard): an index
-- keeps that count from reading the whole registry.
CREATE INDEX devices_unprovisioned_gateway_idx ON devices (gateway_id) WHERE NOT provisioned;
