-- test/corpus/bad_input/setup.sql — the fixture every bad-input case runs against
-- (read by test/t/021_bad_input.pl, run once with psql -v ON_ERROR_STOP=1).
--
-- Project "default":
--   r1 (applied, has a down body) <- r2 (applied, NO down body) <- r3 (pending)
--   r3 <- p100 (pending, branch label "feat"), r3 <- p101 (pending), r3 <- nt1
--   (pending, non-transactional CREATE INDEX CONCURRENTLY)
--   so: three heads (PM004 for "head"), prefix "p10" is ambiguous (PM003),
--   downgrading past r2 needs a down body it does not have (PM031), nt1 is
--   a pending non-transactional revision (PM030).
-- Project "empty": no revision at all (PM002 for "head").
-- Project "strict": lint policy "error" (PM042 for any finding).
-- Project "applyfail": revisions that upload fine and fail when applied
--   (af1..af3, af5, af6 pending; af4 applied, its down body fails).
--
-- public.canary is the table every injection payload in the corpus tries to
-- write to; role bad_actor is the role payloads try to make a superuser.
-- public.pgmig_catalog_hash() returns one "table:md5" item per table of
-- schema pgmig (every row, as text, in a stable order).
CREATE EXTENSION pgmig;
CREATE TABLE public.canary (note text);
GRANT ALL ON public.canary TO PUBLIC;
CREATE ROLE bad_actor NOLOGIN;

CREATE FUNCTION public.pgmig_catalog_hash() RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	rel record;
	h text;
	out text := '';
BEGIN
	FOR rel IN SELECT c.relname FROM pg_class c
	            WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind IN ('r', 'p')
	            ORDER BY c.relname
	LOOP
		EXECUTE format('SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM pgmig.%I t',
		               rel.relname) INTO h;
		out := out || rel.relname || ':' || h || ' ';
	END LOOP;
	RETURN rtrim(out);
END
$fn$;

SELECT count(*) FROM pgmig.mig_upload_batch($j$[
 {"revision": "r1", "up": "CREATE TABLE fx1 (id int);", "down": "DROP TABLE fx1;", "message": "first"},
 {"revision": "r2", "parents": ["r1"], "up": "CREATE TABLE fx2 (id int);"},
 {"revision": "r3", "parents": ["r2"], "up": "CREATE TABLE fx3 (id int);", "down": "DROP TABLE fx3;"},
 {"revision": "p100", "parents": ["r3"], "up": "CREATE TABLE fx4 (id int);", "down": "DROP TABLE fx4;",
  "branch_labels": ["feat"]},
 {"revision": "p101", "parents": ["r3"], "up": "CREATE TABLE fx5 (id int);", "down": "DROP TABLE fx5;"},
 {"revision": "nt1", "parents": ["r3"], "up": "CREATE INDEX CONCURRENTLY fx3_idx ON fx3 (id);",
  "down": "DROP INDEX CONCURRENTLY fx3_idx;"}
]$j$);
SELECT count(*) FROM pgmig.mig_apply('r2');
SELECT * FROM pgmig.mig_set_policy('strict', lint => 'error');
SELECT count(*) FROM pgmig.mig_upload('s1', 'CREATE TABLE sfx (id int, v text);', project => 'strict');
SELECT count(*) FROM pgmig.mig_upload_batch($j$[
 {"revision": "af1", "up": "SELECT 1/0"},
 {"revision": "af2", "up": "SELECT 1;\nINSERT INTO no_such_table VALUES (1);"},
 {"revision": "af3", "up": "SELECT pg_catalog.set_config('role', 'bad_actor', true)"},
 {"revision": "af4", "up": "SELECT 1", "down": "SELECT 1;\nSELECT 1/0;"},
 {"revision": "af5", "up": "UPDATE pgmig.revision SET message = 'tampered'"},
 {"revision": "af6", "up": "CREATE TABLE af6 (id int);\nDELETE FROM pgmig.event;"}
]$j$, project => 'applyfail');
SELECT count(*) FROM pgmig.mig_apply('af4', 'applyfail');
