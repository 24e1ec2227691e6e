-- Policies (issue 5; docs/policies.md, docs/decisions/0008-policy-format.md). Conventions: docs/decisions/0005-storage.md.
-- A policy is a name with numbered revisions; the document text is stored as uploaded (its SHA-256 names it).
CREATE TABLE policies (
    name             TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('measured-boot', 'runtime')),
    active_revision  INTEGER NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE policy_revisions (
    name         TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    version      TEXT NOT NULL,
    description  TEXT NOT NULL,
    document     TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (name, revision)
);

-- Which nodes a policy governs: one node, every node of a group, or every node (default).
CREATE TABLE policy_bindings (
    binding_id   TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    selector     TEXT NOT NULL CHECK (selector IN ('node', 'group', 'default')),
    value        TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (name, selector, value)
);
CREATE INDEX ix_policy_bindings_value ON policy_bindings (selector, value);

-- Node groups: labels an operator sets on nodes, for bindings.
CREATE TABLE node_groups (
    node_id     TEXT NOT NULL,
    group_name  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (node_id, group_name)
);

-- Who changed what, when: every upload, activation, rollback, binding and group change.
CREATE TABLE policy_audit (
    audit_id    TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    name        TEXT NULL,
    revision    INTEGER NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX ix_policy_audit_at ON policy_audit (at);
