-- Verifier schema v1 (conventions: docs/decisions/0005-storage.md).
CREATE TABLE sessions (
    session_id      TEXT PRIMARY KEY,
    node_id         TEXT NOT NULL,
    nonce           BYTEA NOT NULL,
    pcr_selection   TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    opened_by       TEXT NOT NULL,
    state           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT NULL,
    attestation_id  TEXT NULL
);
CREATE INDEX ix_sessions_node ON sessions (node_id, created_at);

CREATE TABLE attestations (
    attestation_id    TEXT PRIMARY KEY,
    node_id           TEXT NOT NULL,
    session_id        TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    verdict           TEXT NOT NULL,
    failures          TEXT NOT NULL,
    warnings          TEXT NOT NULL,
    evidence_digest   TEXT NOT NULL,
    ak_name           TEXT NOT NULL,
    reset_count       BIGINT NOT NULL,
    restart_count     BIGINT NOT NULL,
    clock             BIGINT NOT NULL,
    pcrs              TEXT NOT NULL,
    facts             TEXT NULL,
    ima_state         TEXT NULL,
    baseline_version  BIGINT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX ix_attestations_node ON attestations (node_id, created_at);

-- Raw evidence, kept for the last N attestations of each node (Verifier:Evidence:RetainPerNode).
CREATE TABLE evidence (
    attestation_id  TEXT PRIMARY KEY,
    node_id         TEXT NOT NULL,
    quote           BYTEA NOT NULL,
    signature       BYTEA NOT NULL,
    event_log       BYTEA NULL,
    ima_log         BYTEA NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX ix_evidence_node ON evidence (node_id, created_at);

CREATE TABLE baselines (
    node_id         TEXT NOT NULL,
    version         BIGINT NOT NULL,
    attestation_id  TEXT NOT NULL,
    pcrs            TEXT NOT NULL,
    facts           TEXT NULL,
    approved_by     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (node_id, version)
);
