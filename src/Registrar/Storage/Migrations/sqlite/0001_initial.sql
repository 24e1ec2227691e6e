-- Registrar schema v1 (conventions: docs/decisions/0005-storage.md).
CREATE TABLE nodes (
    node_id         TEXT PRIMARY KEY,
    system_uuid     TEXT NULL,
    serial          TEXT NULL,
    ek_public       BLOB NOT NULL,
    ek_name         TEXT NOT NULL,
    ek_certificate  BLOB NULL,
    ek_summary      TEXT NULL,
    state           TEXT NOT NULL,
    enrolled_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_nodes_ek_name ON nodes (ek_name);

CREATE TABLE attestation_keys (
    enrollment_id         TEXT PRIMARY KEY,
    node_id               TEXT NOT NULL REFERENCES nodes (node_id),
    ak_name               TEXT NOT NULL,
    ak_public             BLOB NOT NULL,
    state                 TEXT NOT NULL,
    challenge_secret      BLOB NULL,
    challenge_expires_at  INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    activated_at          INTEGER NULL
);
CREATE INDEX ix_attestation_keys_node ON attestation_keys (node_id, state);

CREATE TABLE ek_replacements (
    node_id     TEXT PRIMARY KEY,
    allowed_by  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE node_events (
    event_id  TEXT PRIMARY KEY,
    node_id   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    detail    TEXT NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX ix_node_events_node ON node_events (node_id, at);
