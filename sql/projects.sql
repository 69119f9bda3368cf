-- projects: each has its own graph, applied set and history
CREATE EXTENSION pgmig;

SELECT revision, action FROM pgmig.mig_upload('init', 'CREATE TABLE pj_billing (id int);', project => 'billing');
SELECT revision, action FROM pgmig.mig_upload('init', 'CREATE TABLE pj_catalog (id int);', project => 'catalog');
-- the same id with another body in another project is not a conflict
SELECT project, revision, checksum FROM pgmig.revision ORDER BY project;

SELECT revision FROM pgmig.mig_apply(project => 'billing');
SELECT * FROM pgmig.mig_heads('billing');
SELECT * FROM pgmig.mig_heads('catalog');
SELECT * FROM pgmig.mig_heads();
SELECT project, kind, revision FROM pgmig.event ORDER BY event_id;
SELECT kind, revision FROM pgmig.mig_history('catalog');

-- parents are looked up in the same project only
SELECT * FROM pgmig.mig_upload('next', 'SELECT 1', parents => '{init}', project => 'other');

-- project names: 1..63 of [A-Za-z0-9_.-]
SELECT * FROM pgmig.mig_heads('');
SELECT * FROM pgmig.mig_heads('a b');
SELECT * FROM pgmig.mig_apply(project => repeat('p', 64));
SELECT * FROM pgmig.mig_heads(NULL);

DROP EXTENSION pgmig;
DROP TABLE pj_billing;
