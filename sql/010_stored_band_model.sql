-- The band model each series' expected band comes from (a25, a50, a75 and the cohort size, with
-- the municipality's minimum cohort applied), stored with the rest of its state: the progress of
-- a family then reads its models in the statement that reads the family, instead of looking them
-- up in band_models and reference_series on every request. Null where the series has no band
-- (alliance forms, or no model for its intake). Written with the rest of the row by the domain
-- (service/domain/family-state.ts); the state's rule version makes a start rebuild every row.
ALTER TABLE series_state ADD COLUMN band_model jsonb;
