-- JSON as TEXT (read in code, not in SQL), a nullable digest and timestamp, and the one boolean form.
CREATE TABLE documents (
    id           TEXT    NOT NULL PRIMARY KEY,
    body         TEXT    NOT NULL,
    digest       BLOB    NULL,
    pinned       INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    recorded_at  INTEGER NOT NULL,
    deleted_at   INTEGER NULL
) STRICT;
