-- The stored state (a read model) the caseload and the outcome report read instead of every
-- rating: one row per series and one per family, computed by the domain's rules
-- (service/domain/family-state.ts) and written in the same transaction as every change that can
-- alter them. `overdue` depends on today and is computed when read.

CREATE TABLE series_state (
  municipality_id     uuid NOT NULL,
  family_id           uuid NOT NULL,
  position            integer NOT NULL,       -- the family's display order of series
  member_id           uuid NOT NULL,
  instrument_code     text NOT NULL,
  rater               text NOT NULL,
  rater_member_id     uuid,
  points              integer NOT NULL CHECK (points >= 1),
  intake              smallint NOT NULL,
  intake_on           date NOT NULL,
  previous            smallint,
  previous_on         date,
  latest              smallint NOT NULL,
  latest_on           date NOT NULL,
  latest_session_id   uuid NOT NULL,
  cutoff              smallint,
  status              text,
  trend               jsonb,
  band_p25            double precision,
  band_p50            double precision,
  band_p75            double precision,
  band_cohort_size    integer,
  flags               jsonb NOT NULL,         -- the series' flags at its latest point, tenths
  severity            text,
  -- The outcome report's fields, on a person's primary series only.
  is_primary          boolean NOT NULL,
  age_group_at_intake text,
  first_alliance      smallint,
  days_in_service     integer,
  unsuccessful        boolean,
  PRIMARY KEY (municipality_id, family_id, position),
  FOREIGN KEY (municipality_id, family_id) REFERENCES families ON DELETE CASCADE
);
CREATE INDEX series_state_primary ON series_state (municipality_id, latest_on) WHERE is_primary;
CREATE INDEX series_state_collateral ON series_state (municipality_id, latest_on) WHERE rater <> 'self';

CREATE TABLE family_state (
  municipality_id  uuid NOT NULL,
  family_id        uuid NOT NULL,
  coordinator_id   uuid NOT NULL,
  active           boolean NOT NULL,
  started_on       date NOT NULL,
  ending           text,
  last_session_on  date,
  last_session_id  uuid,
  session_count    integer NOT NULL,
  severity         text,                      -- highest severity of the series' flags
  flag_count       integer NOT NULL,
  left_behind      boolean NOT NULL,          -- any member's primary series unsuccessful
  PRIMARY KEY (municipality_id, family_id),
  FOREIGN KEY (municipality_id, family_id) REFERENCES families ON DELETE CASCADE
);
-- The caseload (a coordinator's active families) and the report by coordinator (all of them).
CREATE INDEX family_state_coordinator ON family_state (municipality_id, coordinator_id);

-- The rule version the municipality's state was computed under (null: never built); a start
-- rebuilds the state of every municipality whose version is not the service's.
ALTER TABLE municipalities ADD COLUMN state_rule_version integer;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['series_state', 'family_state'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (municipality_id = framgang_current_municipality()) WITH CHECK (municipality_id = framgang_current_municipality())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO framgang_app', t);
  END LOOP;
END $$;
