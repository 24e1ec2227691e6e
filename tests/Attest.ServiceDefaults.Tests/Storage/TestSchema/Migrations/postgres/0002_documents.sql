-- JSON as TEXT (read in code, not in SQL), a nullable digest and timestamp, and the one boolean form.
CREATE TABLE documents (
    id           TEXT    NOT NULL PRIMARY KEY,
    body         TEXT    NOT NULL,
    digest       BYTEA   NULL,
    pinned       BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_at  BIGINT  NOT NULL,
    deleted_at   BIGINT  NULL
);
