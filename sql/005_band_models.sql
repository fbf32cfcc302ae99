-- Expected-band models, fitted once by recompute-bands and read per series by requests, so no
-- request loads the reference cohort (domain rule: expected bands).
--
-- band_models: for each instrument and intake (tenths) whose ±2-point window holds reference
-- series, the fitted a_q of p_q(k) = intake + a_q·ln k and the cohort size. Whether a band is
-- shown (cohort size ≥ expectedBandMinSeries) is decided when it is read, so changing that
-- setting needs no refit.
CREATE TABLE band_models (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  instrument_code text NOT NULL REFERENCES instruments,
  intake          smallint NOT NULL CHECK (intake >= 0),
  a25             double precision NOT NULL,
  a50             double precision NOT NULL,
  a75             double precision NOT NULL,
  cohort_size     integer NOT NULL CHECK (cohort_size > 0),
  PRIMARY KEY (municipality_id, instrument_code, intake)
);

-- A series is never its own reference: each reference series derived from the municipality's
-- own data also carries the model of its cohort without itself (null a_q: no fit without it).
ALTER TABLE reference_series
  ADD COLUMN own_a25 double precision,
  ADD COLUMN own_a50 double precision,
  ADD COLUMN own_a75 double precision,
  ADD COLUMN own_cohort_size integer;
CREATE INDEX reference_series_key ON reference_series (municipality_id, series_key);

ALTER TABLE band_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE band_models FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON band_models
  USING (municipality_id = framgang_current_municipality())
  WITH CHECK (municipality_id = framgang_current_municipality());
GRANT SELECT, INSERT, DELETE ON band_models TO framgang_app;
GRANT UPDATE ON reference_series TO framgang_app;

-- Request paths narrow by municipality, then family: members in their order of entry.
CREATE INDEX members_family ON members (municipality_id, family_id, seq);

-- Settings a request needs on every write (thresholds in force) are cached per process and
-- checked against this version, read with the municipality row each request reads anyway. A
-- sequence, not a counter: a version seen inside a transaction that rolls back never comes back.
CREATE SEQUENCE settings_versions;
ALTER TABLE municipalities ADD COLUMN settings_version bigint NOT NULL DEFAULT nextval('settings_versions');
GRANT USAGE ON SEQUENCE settings_versions TO framgang_app;

CREATE FUNCTION framgang_bump_settings_version() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_TABLE_NAME = 'municipalities' THEN
    NEW.settings_version := nextval('settings_versions');
    RETURN NEW;
  END IF;
  UPDATE municipalities SET settings_version = nextval('settings_versions')
   WHERE municipality_id = COALESCE(NEW.municipality_id, OLD.municipality_id);
  RETURN NULL;
END $$;
CREATE TRIGGER settings_version BEFORE UPDATE ON municipalities
  FOR EACH ROW EXECUTE FUNCTION framgang_bump_settings_version();
CREATE TRIGGER settings_version AFTER INSERT OR UPDATE OR DELETE ON instrument_settings
  FOR EACH ROW EXECUTE FUNCTION framgang_bump_settings_version();
