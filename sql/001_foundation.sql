-- Framgang foundation: tenants, people, conversations, ratings, reference instruments,
-- API clients, idempotency records and the audit trail.
-- Every tenant table carries municipality_id in its primary key and its foreign keys, and is
-- protected by row-level security keyed on the transaction setting framgang.municipality_id.

-- The application role. Roles are cluster-wide and many databases share one cluster in tests,
-- so creation tolerates a concurrent creator.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'framgang_app') THEN
    BEGIN
      CREATE ROLE framgang_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END $$;

DO $$
BEGIN
  EXECUTE format('GRANT framgang_app TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL; -- already a member, or a superuser that needs no grant
END $$;

CREATE FUNCTION framgang_current_municipality() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('framgang.municipality_id', true), '')::uuid $$;

-- Reference data: the instruments. Shipped rows carry our own short labels, never licensed wording.
CREATE TABLE instruments (
  code          text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9-]{1,31}$'),
  version       text NOT NULL,
  name          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('outcome', 'alliance')),
  min_age       smallint NOT NULL CHECK (min_age >= 0),
  max_age       smallint CHECK (max_age IS NULL OR max_age >= min_age),
  item_keys     text[] NOT NULL CHECK (cardinality(item_keys) BETWEEN 1 AND 10),
  item_labels   jsonb NOT NULL,          -- { "nb": [...], "nn": [...], "en": [...] }
  item_max      smallint NOT NULL CHECK (item_max > 0),  -- tenths
  direction     text NOT NULL DEFAULT 'higher-is-better' CHECK (direction IN ('higher-is-better')),
  psychometric  boolean NOT NULL,        -- false: log and show only, never a status or flag
  given_at      text NOT NULL CHECK (given_at IN ('start', 'end')),
  thresholds    jsonb NOT NULL,          -- defaults in tenths, with their sources
  sort_order    smallint NOT NULL
);

INSERT INTO instruments (code, version, name, kind, min_age, max_age, item_keys, item_labels, item_max, psychometric, given_at, thresholds, sort_order) VALUES
('ORS', '1', 'Outcome Rating Scale', 'outcome', 13, NULL,
  ARRAY['individual','interpersonal','social','overall'],
  '{"nb":["Meg selv","Nære relasjoner","Skole, jobb og venner","Alt i alt"],"nn":["Meg sjølv","Nære relasjonar","Skule, jobb og vener","Alt i alt"],"en":["Individually","Interpersonally","Socially","Overall"]}',
  100, true, 'start',
  '{"cutoffs":{"adult":250,"adolescent":280},"reliableChange":50,"allianceDrop":10,"noChangeSessions":[3,6,10]}', 1),
('CORS', '1', 'Child Outcome Rating Scale', 'outcome', 6, 12,
  ARRAY['me','family','school','everything'],
  '{"nb":["Meg","Familien","Skolen","Alt"],"nn":["Meg","Familien","Skulen","Alt"],"en":["Me","Family","School","Everything"]}',
  100, true, 'start',
  '{"cutoffs":{"child":320},"reliableChange":50,"allianceDrop":10,"noChangeSessions":[3,6,10]}', 2),
('YCORS', '1', 'Young Child Outcome Rating Scale', 'outcome', 3, 5,
  ARRAY['face'],
  '{"nb":["Hvordan har du det"],"nn":["Korleis har du det"],"en":["How are you"]}',
  100, false, 'start',
  '{"cutoffs":{},"reliableChange":null,"allianceDrop":10,"noChangeSessions":[3,6,10]}', 3),
('SRS', '1', 'Session Rating Scale', 'alliance', 13, NULL,
  ARRAY['relationship','goals-and-topics','approach','overall'],
  '{"nb":["Relasjon","Mål og tema","Tilnærming","Alt i alt"],"nn":["Relasjon","Mål og tema","Tilnærming","Alt i alt"],"en":["Relationship","Goals and topics","Approach","Overall"]}',
  100, true, 'end',
  '{"cutoffs":{"adolescent":360,"adult":360},"reliableChange":null,"allianceDrop":10,"noChangeSessions":[3,6,10]}', 4),
('CSRS', '1', 'Child Session Rating Scale', 'alliance', 6, 12,
  ARRAY['listening','how-important','what-we-did','overall'],
  '{"nb":["Lyttet","Det som var viktig","Det vi gjorde","Alt i alt"],"nn":["Lytta","Det som var viktig","Det vi gjorde","Alt i alt"],"en":["Listening","How important","What we did","Overall"]}',
  100, true, 'end',
  '{"cutoffs":{"child":360},"reliableChange":null,"allianceDrop":10,"noChangeSessions":[3,6,10]}', 5),
('YCSRS', '1', 'Young Child Session Rating Scale', 'alliance', 3, 5,
  ARRAY['face'],
  '{"nb":["Hvordan var det i dag"],"nn":["Korleis var det i dag"],"en":["How was it today"]}',
  100, false, 'end',
  '{"cutoffs":{},"reliableChange":null,"allianceDrop":10,"noChangeSessions":[3,6,10]}', 6);

CREATE TABLE municipalities (
  municipality_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone                text NOT NULL DEFAULT 'Europe/Oslo',
  show_alliance_to_families boolean NOT NULL DEFAULT false,
  overdue_days             integer NOT NULL DEFAULT 42 CHECK (overdue_days BETWEEN 1 AND 3650),
  expected_band_min_series integer NOT NULL DEFAULT 30 CHECK (expected_band_min_series BETWEEN 1 AND 100000),
  created_at               timestamptz NOT NULL DEFAULT now()
);

-- Browser origins a municipality embeds the widget on (CORS).
CREATE TABLE allowed_origins (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  origin          text NOT NULL CHECK (origin ~ '^https?://[^/\s]+$'),
  PRIMARY KEY (municipality_id, origin)
);
CREATE INDEX allowed_origins_origin ON allowed_origins (origin);

CREATE TABLE instrument_settings (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  instrument_code text NOT NULL REFERENCES instruments,
  thresholds      jsonb NOT NULL DEFAULT '{}',  -- overrides of instruments.thresholds, tenths
  wording         jsonb,                         -- licensed item wording/translations per language
  PRIMARY KEY (municipality_id, instrument_code)
);

CREATE TABLE api_clients (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  api_client_id   uuid NOT NULL DEFAULT gen_random_uuid(),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  key_hash        text NOT NULL UNIQUE,
  key_prefix      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  PRIMARY KEY (municipality_id, api_client_id)
);

CREATE TABLE coordinators (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  coordinator_id  uuid NOT NULL DEFAULT gen_random_uuid(),
  external_ref    text NOT NULL CHECK (length(external_ref) BETWEEN 1 AND 200),
  display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, coordinator_id),
  UNIQUE (municipality_id, external_ref)
);

CREATE TABLE families (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  family_id       uuid NOT NULL DEFAULT gen_random_uuid(),
  external_ref    text NOT NULL CHECK (length(external_ref) BETWEEN 1 AND 200),
  coordinator_id  uuid NOT NULL,
  started_on      date NOT NULL,
  ended_on        date,
  ending          text CHECK (ending IN ('planned', 'unilateral', 'moved', 'other')),
  synthetic       boolean NOT NULL DEFAULT false, -- demo reference cohort, never a real family
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (municipality_id, family_id),
  UNIQUE (municipality_id, external_ref),
  FOREIGN KEY (municipality_id, coordinator_id) REFERENCES coordinators,
  CHECK ((ended_on IS NULL) = (ending IS NULL)),
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX families_coordinator ON families (municipality_id, coordinator_id) WHERE ended_on IS NULL;

CREATE TABLE members (
  municipality_id uuid NOT NULL,
  member_id       uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id       uuid NOT NULL,
  alias           text NOT NULL CHECK (length(alias) BETWEEN 1 AND 100),
  role            text NOT NULL CHECK (role IN ('adult', 'child')),
  birth_date      date NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Order of entry: created_at is equal for the members of one request (one transaction), and
  -- PGlite's clock has millisecond resolution, so it cannot order them.
  seq             bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (municipality_id, member_id),
  UNIQUE (municipality_id, family_id, member_id),
  FOREIGN KEY (municipality_id, family_id) REFERENCES families ON DELETE CASCADE
);

CREATE TABLE sessions (
  municipality_id uuid NOT NULL,
  session_id      uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id       uuid NOT NULL,
  held_on         date NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('home-visit', 'office', 'network-meeting', 'phone', 'video', 'other')),
  note            text CHECK (length(note) <= 2000),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (municipality_id, session_id),
  UNIQUE (municipality_id, family_id, session_id),
  FOREIGN KEY (municipality_id, family_id) REFERENCES families ON DELETE CASCADE
);
CREATE INDEX sessions_family ON sessions (municipality_id, family_id, held_on DESC, created_at DESC);

-- Scores are integer tenths: item 0–item_max, total the sum of the items (or a paper total).
-- The composite foreign keys make the database itself refuse a rating of a member from another family.
CREATE TABLE ratings (
  municipality_id  uuid NOT NULL,
  rating_id        uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id        uuid NOT NULL,
  session_id       uuid NOT NULL,
  member_id        uuid NOT NULL,
  instrument_code  text NOT NULL REFERENCES instruments,
  rater            text NOT NULL CHECK (rater IN ('self', 'parent', 'caretaker', 'teacher', 'coordinator', 'other')),
  rater_member_id  uuid,
  items            smallint[] CHECK (items IS NULL OR (cardinality(items) BETWEEN 1 AND 10 AND 0 <= ALL (items) AND 100 >= ALL (items))),
  total            smallint NOT NULL CHECK (total BETWEEN 0 AND 1000),
  override_reason  text CHECK (length(override_reason) BETWEEN 1 AND 500),
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  seq              bigint GENERATED ALWAYS AS IDENTITY, -- order of entry (see members.seq)
  PRIMARY KEY (municipality_id, rating_id),
  FOREIGN KEY (municipality_id, family_id, session_id) REFERENCES sessions (municipality_id, family_id, session_id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, family_id, member_id) REFERENCES members (municipality_id, family_id, member_id) ON DELETE CASCADE,
  FOREIGN KEY (municipality_id, family_id, rater_member_id) REFERENCES members (municipality_id, family_id, member_id) ON DELETE CASCADE,
  CONSTRAINT ratings_one_per_rater UNIQUE NULLS NOT DISTINCT (municipality_id, session_id, member_id, instrument_code, rater, rater_member_id)
);
CREATE INDEX ratings_family ON ratings (municipality_id, family_id);
CREATE INDEX ratings_member ON ratings (municipality_id, member_id);

CREATE TABLE idempotency_keys (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  principal       text NOT NULL,
  key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash    text NOT NULL,
  status_code     smallint NOT NULL,
  location        text,
  body            jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Who read or changed what. family_id has no foreign key: the trail outlives an erasure.
CREATE TABLE audit_events (
  municipality_id uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  audit_event_id  bigint GENERATED ALWAYS AS IDENTITY,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  actor_type      text NOT NULL CHECK (actor_type IN ('api-client', 'coordinator', 'family', 'system')),
  actor_id        text NOT NULL,
  role            text NOT NULL,
  action          text NOT NULL,
  family_id       uuid,
  resource        text,
  request_id      text,
  detail          jsonb,                   -- e.g. the previous value of a corrected rating
  PRIMARY KEY (municipality_id, audit_event_id)
);
CREATE INDEX audit_events_family ON audit_events (municipality_id, family_id, occurred_at DESC);

-- Row-level security: a transaction sees only the municipality named in its setting, and
-- nothing at all without it.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['instrument_settings','coordinators','families','members',
                           'sessions','ratings','idempotency_keys','audit_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (municipality_id = framgang_current_municipality()) WITH CHECK (municipality_id = framgang_current_municipality())', t);
  END LOOP;
  -- Read before the municipality is known, by SECURITY DEFINER lookups owned by the migrating
  -- user (API clients, origins), or listed by the admin CLI for work across municipalities
  -- (municipalities): ENABLE without FORCE so that owner can read them; framgang_app still sees
  -- its own municipality only.
  FOREACH t IN ARRAY ARRAY['municipalities','api_clients','allowed_origins'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (municipality_id = framgang_current_municipality()) WITH CHECK (municipality_id = framgang_current_municipality())', t);
  END LOOP;
END $$;

CREATE FUNCTION framgang_api_client_by_key_hash(p_key_hash text)
  RETURNS TABLE (api_client_id uuid, municipality_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT c.api_client_id, c.municipality_id FROM public.api_clients c
        WHERE c.key_hash = p_key_hash AND c.revoked_at IS NULL $$;

CREATE FUNCTION framgang_origin_registered(p_origin text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT EXISTS (SELECT 1 FROM public.allowed_origins o WHERE o.origin = p_origin) $$;

-- Expired idempotency records (older than 7 days) may be purged across municipalities by the
-- maintenance job, which sets framgang.purge; nothing else is visible to it. A DELETE with a
-- WHERE clause must also pass a SELECT policy, hence the pair.
CREATE POLICY purge_expired ON idempotency_keys FOR DELETE
  USING (current_setting('framgang.purge', true) = 'on' AND created_at < now() - interval '7 days');
CREATE POLICY purge_expired_read ON idempotency_keys FOR SELECT
  USING (current_setting('framgang.purge', true) = 'on' AND created_at < now() - interval '7 days');

REVOKE ALL ON FUNCTION framgang_api_client_by_key_hash(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION framgang_origin_registered(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION framgang_api_client_by_key_hash(text) TO framgang_app;
GRANT EXECUTE ON FUNCTION framgang_origin_registered(text) TO framgang_app;
GRANT EXECUTE ON FUNCTION framgang_current_municipality() TO framgang_app;

GRANT SELECT ON instruments TO framgang_app;
GRANT SELECT, UPDATE ON municipalities TO framgang_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON allowed_origins, instrument_settings, api_clients, coordinators,
  families, members, sessions, ratings, idempotency_keys TO framgang_app;
GRANT SELECT, INSERT ON audit_events TO framgang_app;
