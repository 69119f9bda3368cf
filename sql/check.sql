-- check: mig_check runs the pending revisions in apply order, rolled back,
-- and checks each body in the schema it meets there (lint and test modes),
-- with the folder given in the call and stored nowhere.
CREATE EXTENSION pgmig;
SET client_min_messages = warning;

-- A history where every problem appears only once earlier revisions ran:
-- c1 creates accounts (uuid key, a NOT NULL name); c2 inserts without the
-- name; c3 references accounts with an integer; c4 (branch b) creates an
-- enum type; c5 (branch a, sorted after c4) adds a value to it without
-- declaring c4; c4's down body leaves its type behind; c6 builds an index
-- concurrently (run in its transactional form).
CREATE TEMP TABLE folder AS SELECT $j$[
  {"revision": "c1", "up": "CREATE TABLE accounts (id uuid PRIMARY KEY, name text NOT NULL);", "down": "DROP TABLE accounts;"},
  {"revision": "c2", "parents": ["c1"], "up": "INSERT INTO accounts (id) VALUES ('00000000-0000-0000-0000-000000000001');\nCREATE TABLE c2_after (id int);",
   "down": "DROP TABLE c2_after;\nDELETE FROM accounts;"},
  {"revision": "c3", "parents": ["c2"], "up": "CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  account_id integer REFERENCES accounts (id)\n);", "down": "DROP TABLE orders;"},
  {"revision": "c4", "parents": ["c3"], "up": "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE feelings (m mood);", "down": "DROP TABLE feelings;"},
  {"revision": "c5", "parents": ["c3"], "up": "ALTER TYPE mood ADD VALUE 'angry';", "down": "SELECT 1;"},
  {"revision": "c6", "parents": ["c4", "c5"], "up": "CREATE INDEX CONCURRENTLY feelings_m ON feelings (m);", "down": "DROP INDEX CONCURRENTLY feelings_m;"}
]$j$::jsonb AS batch;

-- lint: each up body linted just before it runs, each down body after its
-- up body ran; L014 and L016 see the table c1 created; a body that fails
-- is reported, and its other statements still run (c2_after exists for
-- c2's down body: no finding on it)
SELECT revision, step, result, line, sqlstate, rule, severity, message
  FROM pgmig.mig_check(batch => (SELECT batch FROM folder), mode => 'lint');

-- down bodies are linted in the schema after their up body, without the
-- rules about dropping (their job): L001 fires, L007 does not
SELECT revision, step, result, line, rule, message FROM pgmig.mig_check(mode => 'lint', batch => $j$[
  {"revision": "d1", "up": "CREATE TABLE d_t (a int);\nINSERT INTO d_t VALUES (1);", "down": "DROP TABLE d_t;"},
  {"revision": "d2", "parents": ["d1"], "up": "ALTER TABLE d_t DROP COLUMN a;",
   "down": "ALTER TABLE d_t ADD COLUMN a int NOT NULL;"}
]$j$);

-- test: up, down and up again in that schema, then each revision on its
-- ancestors alone: c5 fails there and c4 is named
SELECT revision, step, result, line, sqlstate, kind, identity, message
  FROM pgmig.mig_check(batch => (SELECT batch FROM folder));
SELECT detail, hint FROM pgmig.mig_check(batch => (SELECT batch FROM folder))
 WHERE result = 'undeclared dependency';
-- failures carry PostgreSQL's DETAIL
SELECT revision, detail FROM pgmig.mig_check(batch => (SELECT batch FROM folder)) WHERE result = 'failed' AND step = 'up';

-- nothing was stored, applied or left behind
SELECT count(*) AS revisions FROM pgmig.revision;
SELECT count(*) AS applied FROM pgmig.applied;
SELECT to_regclass('accounts') AS accounts, to_regtype('mood') AS mood;

-- with the dependency declared, c5 passes on its ancestors alone
UPDATE folder SET batch = jsonb_set(batch, '{4,depends_on}', '["c4"]');
SELECT revision, result FROM pgmig.mig_check(batch => (SELECT batch FROM folder))
 WHERE step = 'dependencies';

-- two branches whose ids interleave (the apply order alternates between
-- them): ib3 uses a table of ia2 without declaring it, and is found
-- (its descendant ib4 is checked once ib3 declares it)
SELECT revision, result, message, hint FROM pgmig.mig_check('heads', batch => $j$[
  {"revision": "i0", "up": "CREATE TABLE i_base (id int);"},
  {"revision": "ia1", "parents": ["i0"], "up": "CREATE TABLE i_a1 (id int);"},
  {"revision": "ib1", "parents": ["i0"], "up": "CREATE TABLE i_b1 (id int);"},
  {"revision": "ia2", "parents": ["ia1"], "up": "CREATE TABLE i_a2 (id int);"},
  {"revision": "ib2", "parents": ["ib1"], "up": "CREATE TABLE i_b2 (id int);"},
  {"revision": "ia3", "parents": ["ia2"], "up": "CREATE TABLE i_a3 (id int);"},
  {"revision": "ib3", "parents": ["ib2"], "up": "CREATE VIEW i_b3 AS SELECT id FROM i_a2;"},
  {"revision": "ib4", "parents": ["ib3"], "up": "CREATE VIEW i_b4 AS SELECT id FROM i_a3;"}
]$j$) WHERE step = 'dependencies';

-- a column dropped and added back elsewhere: reported once as another
-- order, compared by name, not as changed columns
SELECT revision, step, result, kind, identity, message, detail FROM pgmig.mig_check(batch => $j$[
  {"revision": "o1", "up": "CREATE TABLE o_t (a int, b int, c int);", "down": "DROP TABLE o_t;"},
  {"revision": "o2", "parents": ["o1"], "up": "ALTER TABLE o_t DROP COLUMN b;", "down": "ALTER TABLE o_t ADD COLUMN b int;"}
]$j$) WHERE revision = 'o2';

-- revisions limits the checks; the others run on the way
SELECT revision, step, result FROM pgmig.mig_check(revisions => '{o2}', batch => $j$[
  {"revision": "o1", "up": "CREATE TABLE o_t (a int, b int, c int);", "down": "DROP TABLE o_t;"},
  {"revision": "o2", "parents": ["o1"], "up": "ALTER TABLE o_t ADD COLUMN d int;", "down": "ALTER TABLE o_t DROP COLUMN d;"}
]$j$);

-- a statement with no transactional form that does not change the schema
SELECT revision, step, result, message FROM pgmig.mig_check(batch => $j$[
  {"revision": "v1", "up": "CREATE TABLE v_t (a int);"},
  {"revision": "v2", "parents": ["v1"], "up": "VACUUM v_t;"}
]$j$) WHERE revision = 'v2';

-- bad input: the mode, and a batch body that does not parse (the upload's
-- own error, naming the revision and line)
SELECT * FROM pgmig.mig_check(mode => 'both');
SELECT * FROM pgmig.mig_check(batch => '[{"revision": "p1", "up": "CREATE TABLE;"}]');

-- privileges: deployers may run it, readers not
CREATE ROLE ck_reader IN ROLE pgmig_reader;
SET ROLE ck_reader;
DO $$ BEGIN PERFORM pgmig.mig_check(); EXCEPTION WHEN insufficient_privilege THEN RAISE WARNING 'denied: %', SQLERRM; END $$;
RESET ROLE;
DROP ROLE ck_reader;

DROP EXTENSION pgmig;
