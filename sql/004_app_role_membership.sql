-- Every request's transaction runs SET LOCAL ROLE framgang_app. 001 grants that role to the
-- migrating user, but a non-superuser without the right to grant it fails there quietly (the
-- error is swallowed), so migrations "succeeded" and then every request failed. Stop here
-- instead, saying what a database administrator has to run.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'framgang_app', 'MEMBER') THEN
    RAISE EXCEPTION 'the migrating user % is not a member of framgang_app, so the service could not SET ROLE framgang_app', current_user
      USING HINT = format('As a superuser (or a role with ADMIN OPTION on framgang_app), run: GRANT framgang_app TO %I;', current_user);
  END IF;
END $$;
