-- Firmware re-measurement (ARCHITECTURE.md flow 3): change windows and catalogs uploaded through the API.
CREATE TABLE change_windows (
    window_id             TEXT PRIMARY KEY,
    node_id               TEXT NOT NULL,
    components            TEXT NOT NULL,
    target_versions       TEXT NOT NULL,
    reason                TEXT NOT NULL,
    opened_by             TEXT NOT NULL,
    opened_at             INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    reset_count_at_open   INTEGER NOT NULL,
    state                 TEXT NOT NULL,
    closed_at             INTEGER NULL,
    attestation_id        TEXT NULL
);
CREATE INDEX ix_change_windows_node ON change_windows (node_id, state);

CREATE TABLE firmware_catalogs (
    name         TEXT PRIMARY KEY,
    document     TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  INTEGER NOT NULL
);
