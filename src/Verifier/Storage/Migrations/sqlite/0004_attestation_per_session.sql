-- At most one attestation per session, enforced by the database as well as by the session's conditional UPDATE
-- (docs/decisions/0005-storage.md): a bug that let two submissions past the nonce check would fail here rather than
-- store two verdicts for one nonce. The load test (docs/performance.md) checks the same property from outside.
CREATE UNIQUE INDEX ux_attestations_session ON attestations (session_id);
