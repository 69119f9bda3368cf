-- security: privileges go through the roles; the catalog is written only by pgmig's functions
CREATE EXTENSION pgmig;
CREATE ROLE sec_reader NOLOGIN IN ROLE pgmig_reader;
CREATE ROLE sec_deployer NOLOGIN IN ROLE pgmig_deployer;
CREATE ROLE sec_admin NOLOGIN IN ROLE pgmig_admin;
CREATE ROLE sec_outsider NOLOGIN;
\set VERBOSITY terse

-- p1 is uploaded by the deployer; bodies run as their uploader, so appliers must be members of it
SET ROLE sec_deployer;
SELECT revision FROM pgmig.mig_upload('p1', 'SELECT 1');
RESET ROLE;
GRANT sec_deployer TO sec_admin;

-- role x operation matrix
CREATE FUNCTION pg_temp.can(r text, sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE sql;
	RESET ROLE;
	RETURN 'yes';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	RETURN 'no (' || st || ')';
END $$;
SELECT op,
       pg_temp.can('sec_outsider', sql) AS outsider,
       pg_temp.can('sec_reader', sql) AS reader,
       pg_temp.can('sec_deployer', sql) AS deployer,
       pg_temp.can('sec_admin', sql) AS admin
  FROM (VALUES
	('heads',          'SELECT pgmig.mig_heads()'),
	('status',         'SELECT pgmig.mig_status()'),
	('history',        'SELECT pgmig.mig_history()'),
	('upload',         'SELECT pgmig.mig_upload(''p2'', ''SELECT 2'', parents => ''{p1}'')'),
	('apply',          'SELECT pgmig.mig_apply(''p1'')'),
	('downgrade',      'SELECT pgmig.mig_downgrade(''head'')'),
	('stamp',          'SELECT pgmig.mig_stamp(''base'')'),
	('select catalog', 'SELECT count(*) FROM pgmig.revision'),
	('insert applied', 'INSERT INTO pgmig.applied VALUES (''default'', ''p1'', now(), ''x'', NULL, ''x'', ''stamp'')'),
	('update revision','UPDATE pgmig.revision SET up_body = ''DROP TABLE x'''),
	('delete applied', 'DELETE FROM pgmig.applied'),
	('insert event',   'INSERT INTO pgmig.event (project, kind, who) VALUES (''default'', ''stamp'', ''x'')'),
	('truncate event', 'TRUNCATE pgmig.event')
  ) AS t(op, sql);

-- the catalog records who did what (the caller, not the extension owner)
SELECT kind, revision, who FROM pgmig.event ORDER BY event_id;
SELECT revision, uploaded_by FROM pgmig.revision ORDER BY upload_seq;

DROP EXTENSION pgmig;
DROP ROLE sec_reader, sec_deployer, sec_admin, sec_outsider;
