-- Users, their bearer tokens, and the responses kept for Idempotency-Key replays.

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    username       text NOT NULL CHECK (username ~ '^[A-Za-z][A-Za-z0-9._-]{2,63}$'),
    display_name   text CHECK (length(display_name) <= 200),
    password_hash  text NOT NULL,
    roles          text[] NOT NULL CHECK (
                       cardinality(roles) > 0
                       AND roles <@ ARRAY['admin', 'clerk', 'analyst', 'examiner', 'liaison', 'auditor']::text[]),
    disabled       boolean NOT NULL DEFAULT false,
    failed_logins  integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until   timestamptz,
    version        integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE auth_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    issued_via  text NOT NULL CHECK (issued_via IN ('login', 'cli')),
    issued_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > issued_at)
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (id),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    method        text NOT NULL,
    path          text NOT NULL,
    request_hash  bytea NOT NULL,
    status        integer,              -- NULL while the first request is in progress
    content_type  text,
    etag          text,
    location      text,
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    completed_at  timestamptz,
    PRIMARY KEY (user_id, key)
);

REVOKE ALL ON users, auth_tokens, idempotency_keys FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON users, auth_tokens, idempotency_keys TO ifcd_app;
