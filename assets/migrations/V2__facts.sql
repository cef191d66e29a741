-- Facts wareg learns about a number that Graph does not keep (when it first saw a requested
-- display name approved, when a register last worked, what Meta said when it refused one).
-- Apart from the append-only records table on purpose: budgets, `wareg audit` and the desks'
-- NOTIFY feed never see them. One row per number and kind, updated in place, so a desk's role
-- needs SELECT, INSERT and UPDATE on this table.
CREATE TABLE facts (
    number     text NOT NULL,
    kind       text NOT NULL,
    value      text NOT NULL,
    time       timestamptz NOT NULL,
    operator   text,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (number, kind)
);
