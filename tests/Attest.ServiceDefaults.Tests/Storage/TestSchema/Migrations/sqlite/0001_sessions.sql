-- Test schema in the conventions of docs/decisions/0005-storage.md: TEXT ids, INTEGER Unix-ms *_at, BLOB bytes,
-- state as TEXT. STRICT so a wrongly typed value fails here as it would on PostgreSQL.
CREATE TABLE sessions (
    id          TEXT    NOT NULL PRIMARY KEY,
    node_id     TEXT    NOT NULL,
    nonce       BLOB    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('open', 'used')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER NULL
) STRICT;

CREATE INDEX ix_sessions_node_id ON sessions (node_id);
