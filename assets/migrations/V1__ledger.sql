-- The team ledger: append-only. Every wareg writes intents and outcomes here and counts
-- budgets from it. A desk's role needs only SELECT and INSERT on this table (and USAGE on the
-- schema): rows are never updated or deleted.
CREATE TABLE records (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time       timestamptz NOT NULL,
    attempt    text NOT NULL,
    phase      text NOT NULL,
    number     text NOT NULL,
    op         text NOT NULL,
    operator   text,
    host       text,
    -- The record as wareg wrote it (no secret has a field in it).
    record     jsonb NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    -- One intent and one outcome per attempt: a record pushed twice (sync, import) is kept once.
    UNIQUE (attempt, phase)
);
CREATE INDEX records_number_time ON records (number, time);
CREATE INDEX records_time ON records (time);
