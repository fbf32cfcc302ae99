-- The families list pages through a municipality's families in creation order (keyset on
-- created_at, family_id): this index serves both the order and the cursor's "after" condition.
CREATE INDEX families_created ON families (municipality_id, created_at, family_id);

-- Purging expired idempotency records. The purge policies of 001 applied to every role, so for
-- framgang_app they were OR'd with the tenant policy, and every lookup of a key by the requests'
-- role read the whole table (across municipalities) instead of its primary key. The policies now
-- apply to the migrating user (the table owner) only, and framgang_app purges through a
-- SECURITY DEFINER function owned by that user, which sets framgang.purge while it deletes.
-- The 7 days in the policies stay the floor whatever the caller asks for.
DO $$
BEGIN
  EXECUTE format('ALTER POLICY purge_expired ON idempotency_keys TO %I', current_user);
  EXECUTE format('ALTER POLICY purge_expired_read ON idempotency_keys TO %I', current_user);
END $$;

CREATE FUNCTION framgang_purge_expired_idempotency_keys(p_ttl_days integer) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  previous text := current_setting('framgang.purge', true);
  purged bigint;
BEGIN
  -- Set here rather than in a SET clause, which only a superuser may give a custom setting.
  PERFORM set_config('framgang.purge', 'on', true);
  DELETE FROM public.idempotency_keys WHERE created_at < now() - make_interval(days => p_ttl_days);
  GET DIAGNOSTICS purged = ROW_COUNT;
  PERFORM set_config('framgang.purge', coalesce(previous, ''), true);
  RETURN purged;
END $$;

REVOKE ALL ON FUNCTION framgang_purge_expired_idempotency_keys(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION framgang_purge_expired_idempotency_keys(integer) TO framgang_app;
