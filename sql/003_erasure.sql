-- Erasure of a family (data-subject rights): the application role may append to the audit trail
-- but never delete from it, except through this function, which removes one family's events in
-- the current municipality only. The caller records the erasure itself afterwards.
CREATE FUNCTION framgang_erase_family_audit(p_family_id uuid) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE n integer;
BEGIN
  DELETE FROM public.audit_events
   WHERE family_id = p_family_id AND municipality_id = public.framgang_current_municipality();
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION framgang_erase_family_audit(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION framgang_erase_family_audit(uuid) TO framgang_app;
