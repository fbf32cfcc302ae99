-- A keyed write's first step in one round trip: take the key's transaction-scoped advisory
-- lock, and only once it is held read the key's record. The function is VOLATILE, so in READ
-- COMMITTED its SELECT takes a snapshot after the lock is granted and sees a record that the
-- lock's previous holder committed. Runs as the caller (framgang_app): the tenant policy applies.
--
-- locked = false: another transaction holds the key (answered 409, retry shortly).
-- locked = true and request_hash null: no record, the write goes ahead.
CREATE FUNCTION framgang_claim_idempotency_key(p_lock text, p_principal text, p_key text)
  RETURNS TABLE (locked boolean, request_hash text, status_code smallint, location text, body jsonb, created_at timestamptz)
  LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public
AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(p_lock, 0)) THEN
    RETURN QUERY SELECT false, NULL::text, NULL::smallint, NULL::text, NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT true, k.request_hash, k.status_code, k.location, k.body, k.created_at
      FROM idempotency_keys k
     WHERE k.principal = p_principal AND k.key = p_key;
  IF NOT FOUND THEN
    RETURN QUERY SELECT true, NULL::text, NULL::smallint, NULL::text, NULL::jsonb, NULL::timestamptz;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION framgang_claim_idempotency_key(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION framgang_claim_idempotency_key(text, text, text) TO framgang_app;
