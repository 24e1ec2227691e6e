-- Test schema in the conventions of docs/decisions/0005-storage.md: TEXT ids, BIGINT Unix-ms *_at, BYTEA bytes,
-- state as TEXT.
CREATE TABLE sessions (
    id          TEXT    NOT NULL PRIMARY KEY,
    node_id     TEXT    NOT NULL,
    nonce       BYTEA   NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('open', 'used')),
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT  NULL
);

CREATE INDEX ix_sessions_node_id ON sessions (node_id);
