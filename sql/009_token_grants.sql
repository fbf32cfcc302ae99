-- An embed token lives no longer than the grants it was minted under: the API client that minted
-- it (claim client_id) must not be revoked, and a coordinator token's coordinator must be active.
-- Every request with a token checks this in the first statement of its transaction, or on its
-- own before the answer leaves when it opens none (service/db/kysely.ts, credentialValid).
--
-- That first statement sets the role and the municipality as it runs, so which of the two holds
-- while it reads a table depends on the order PostgreSQL evaluates it in. This lookup does not
-- depend on it: it runs as its owner (SECURITY DEFINER) and sets the municipality it is given for
-- its own reads, then puts the caller's value back. coordinators is FORCE'd, so a non-superuser
-- owner sees there only the municipality in the setting. (A SET clause on the function would
-- restore the value by itself, but a non-superuser may not name a custom setting there.) An
-- error inside needs no restoring: it ends the transaction, or the savepoint that undoes the
-- setting with everything else.
--
-- Tokens minted before the client_id claim existed (p_api_client_id null) hold only while no API
-- client of their municipality has been revoked since shortly before they were issued (a minute
-- of margin for clocks that differ between instances): one of those might have minted them.
CREATE FUNCTION framgang_token_grant_valid(p_municipality_id uuid, p_api_client_id uuid, p_coordinator_id uuid, p_issued_at timestamptz)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, public
AS $$
DECLARE
  previous text := current_setting('framgang.municipality_id', true);
  valid boolean;
BEGIN
  PERFORM set_config('framgang.municipality_id', p_municipality_id::text, true);
  valid := CASE
    WHEN p_api_client_id IS NOT NULL THEN
      EXISTS (SELECT 1 FROM public.api_clients c
               WHERE c.municipality_id = p_municipality_id AND c.api_client_id = p_api_client_id AND c.revoked_at IS NULL)
    ELSE
      p_issued_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.api_clients c
                                               WHERE c.municipality_id = p_municipality_id AND c.revoked_at >= p_issued_at - interval '1 minute')
  END
  AND (p_coordinator_id IS NULL OR EXISTS (SELECT 1 FROM public.coordinators k
                                            WHERE k.municipality_id = p_municipality_id AND k.coordinator_id = p_coordinator_id AND k.active));
  PERFORM set_config('framgang.municipality_id', coalesce(previous, ''), true);
  RETURN valid;
END
$$;
REVOKE ALL ON FUNCTION framgang_token_grant_valid(uuid, uuid, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION framgang_token_grant_valid(uuid, uuid, uuid, timestamptz) TO framgang_app;
