-- Credentials issued after a passing attestation (issue 7; docs/decisions/0009-credentials.md).
-- Agent tokens: only the SHA-256 of the token is stored; one credential grant per attestation (UNIQUE attestation_id).
CREATE TABLE agent_tokens (
    token_id        TEXT PRIMARY KEY,
    node_id         TEXT NOT NULL,
    attestation_id  TEXT NOT NULL UNIQUE,
    ak_name         TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    delivery        TEXT NOT NULL CHECK (delivery IN ('plain', 'tpm')),
    state           TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    revoked_at      BIGINT NULL,
    revoked_reason  TEXT NULL
);
CREATE INDEX ix_agent_tokens_node ON agent_tokens (node_id, state);

-- Agent TLS certificates; revoked ones make the CRL.
CREATE TABLE issued_certificates (
    serial          TEXT PRIMARY KEY,
    node_id         TEXT NOT NULL,
    attestation_id  TEXT NOT NULL,
    ak_name         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    certificate     BYTEA NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
    not_before      BIGINT NOT NULL,
    not_after       BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT NULL,
    revoked_reason  TEXT NULL
);
CREATE INDEX ix_issued_certificates_node ON issued_certificates (node_id, state);
CREATE INDEX ix_issued_certificates_state ON issued_certificates (state, not_after);
