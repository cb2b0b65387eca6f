-- Idempotency keys keep a request's answer (which may hold personal data) for 24 hours only:
-- the serving process purges older ones, so the app role may delete from this table, which
-- holds no record, only replies to replay.
GRANT DELETE ON idempotency_keys TO ifcd_app;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
