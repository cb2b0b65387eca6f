-- A serving ifcd keeps the principal of a recently seen token for at most a second, so that the
-- hot paths skip the token lookup. Whatever ends or narrows a token's power tells every serving
-- process at once: a revocation, a changed expiry, and a user's disabling, roles or password.
-- NOTIFY is sent at commit of the change's own transaction (and never for one rolled back),
-- from the database, so the CLI and other nodes invalidate caches as the API does.
CREATE FUNCTION ifcd_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ifcd_auth', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER auth_tokens_notify AFTER UPDATE OF revoked_at, expires_at, user_id ON auth_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_auth_changed();
CREATE TRIGGER auth_tokens_notify_delete AFTER DELETE OR TRUNCATE ON auth_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_auth_changed();
CREATE TRIGGER users_notify AFTER UPDATE OF roles, disabled, password_hash, must_change_password, username ON users
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_auth_changed();
CREATE TRIGGER users_notify_delete AFTER DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION ifcd_auth_changed();
