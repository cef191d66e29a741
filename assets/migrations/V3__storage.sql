-- What wareg last read (or set) of each number's local storage, and when: reading it costs
-- one call of the WABA's budget per number, and it changes only through a mutation, so every
-- desk shares what one read instead of reading it again. One row per number, updated in
-- place when a newer read arrives, so a desk's role needs SELECT, INSERT and UPDATE on it.
-- Apart from the records like facts: budgets, `wareg audit` and NOTIFY never see it.
CREATE TABLE storage (
    number     text PRIMARY KEY,
    status     text NOT NULL,
    region     text,
    read_at    timestamptz NOT NULL,
    operator   text,
    written_at timestamptz NOT NULL DEFAULT now()
);
