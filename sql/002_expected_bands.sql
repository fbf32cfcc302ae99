-- Reference series for expected bands (domain.md "Trend lines"): per instrument, the totals by
-- session number of series with at least three points. Rebuilt by recompute-bands from the
-- municipality's own series; `synthetic` rows (the demo cohort, or series pooled from elsewhere)
-- are kept across rebuilds. series_key is a one-way hash, used only to leave a series out of
-- its own cohort: no member, family or date is stored here.
CREATE TABLE reference_series (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  reference_id    uuid NOT NULL DEFAULT gen_random_uuid(),
  instrument_code text NOT NULL REFERENCES instruments,
  series_key      text NOT NULL,
  intake          smallint NOT NULL CHECK (intake >= 0),
  scores          smallint[] NOT NULL CHECK (cardinality(scores) >= 3),
  synthetic       boolean NOT NULL DEFAULT false,
  built_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, reference_id)
);
CREATE INDEX reference_series_instrument ON reference_series (municipality_id, instrument_code, intake);

ALTER TABLE reference_series ENABLE ROW LEVEL SECURITY;
ALTER TABLE reference_series FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON reference_series
  USING (municipality_id = framgang_current_municipality())
  WITH CHECK (municipality_id = framgang_current_municipality());
GRANT SELECT, INSERT, DELETE ON reference_series TO framgang_app;
