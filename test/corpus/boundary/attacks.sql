-- test/corpus/boundary/attacks.sql: bodies that try to leave something behind
-- for later, or to touch pgmig indirectly (issue 14, boundary.hpp).
--
-- Each row is one attack: its body is uploaded as revision "x" of project
-- bnd_<n> by `uploader` (deployer: bnd_mallory, a member of pgmig_deployer;
-- superuser: the superuser running the suite) and applied by the superuser.  A pgmig that keeps its promises
-- refuses the body or applies it, and either way nothing escalates, no row
-- of pgmig changes and nothing stays in the session (harness.sql checks).
-- `expect` is the outcome a correct pgmig gives (applied: the body is
-- legitimate or its leftovers are ended with it; refused: at upload or at
-- apply); `note` says what the attack would do to a pgmig that did not.
--
-- The prelude (n = 0) gives bnd_mallory its tools: bnd.trap(tag) records who
-- runs it and tries ALTER ROLE bnd_mallory SUPERUSER; bnd.trap_trigger(tag)
-- calls it from a trigger; bnd.trap_immutable(x) from an index expression.
CREATE TABLE IF NOT EXISTS public.bnd_attack (n int PRIMARY KEY, name text, uploader text, body text, expect text, note text);
TRUNCATE public.bnd_attack;
INSERT INTO public.bnd_attack VALUES
(0, 'prelude', 'deployer', $attack$
CREATE FUNCTION bnd.trap(tag text) RETURNS int LANGUAGE plpgsql AS $f$
BEGIN
	INSERT INTO public.bnd_canary VALUES (tag, current_user);
	BEGIN
		EXECUTE 'ALTER ROLE bnd_mallory SUPERUSER';
	EXCEPTION WHEN insufficient_privilege THEN
		NULL;
	END;
	RETURN 1;
END
$f$;
CREATE FUNCTION bnd.trap_trigger() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
	PERFORM bnd.trap(TG_ARGV[0]);
	RETURN NULL;
END
$f$;
CREATE FUNCTION bnd.trap_immutable(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
	PERFORM bnd.trap('index expression');
	RETURN 1;
END
$f$;
CREATE FUNCTION bnd.insert_into(t text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
	EXECUTE format('INSERT INTO %s VALUES (1)', t);
END
$f$;
$attack$, 'applied', 'the attacker''s tools'),

-- 1. work queued for later: deferred trigger events fire at COMMIT as the current user
(1, 'deferred constraint trigger', 'deployer', $attack$
CREATE TABLE bnd.t1 (id int);
CREATE CONSTRAINT TRIGGER t1_trap AFTER INSERT ON bnd.t1 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred constraint trigger');
INSERT INTO bnd.t1 VALUES (1);
$attack$, 'applied', 'the trigger fires at COMMIT as the applier'),
(2, 'SET CONSTRAINTS ALL DEFERRED', 'deployer', $attack$
CREATE TABLE bnd.t2 (id int);
CREATE CONSTRAINT TRIGGER t2_trap AFTER INSERT ON bnd.t2 DEFERRABLE INITIALLY IMMEDIATE
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('set constraints deferred');
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO bnd.t2 VALUES (1);
$attack$, 'applied', 'an immediate trigger deferred by the body fires at COMMIT'),
(3, 'deferred trigger queued in a DO block', 'deployer', $attack$
CREATE TABLE bnd.t3 (id int);
CREATE CONSTRAINT TRIGGER t3_trap AFTER INSERT ON bnd.t3 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred in DO');
DO $d$ BEGIN EXECUTE 'INSERT INTO bnd.t3 VALUES (1)'; END $d$;
$attack$, 'applied', 'dynamic SQL queues the event'),
(4, 'deferred trigger queued by a function', 'deployer', $attack$
CREATE TABLE bnd.t4 (id int);
CREATE CONSTRAINT TRIGGER t4_trap AFTER INSERT ON bnd.t4 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred via function');
SELECT bnd.insert_into('bnd.t4');
$attack$, 'applied', 'a function queues the event'),
(5, 'deferred trigger on a partition', 'deployer', $attack$
CREATE TABLE bnd.t5 (id int) PARTITION BY RANGE (id);
CREATE TABLE bnd.t5a PARTITION OF bnd.t5 FOR VALUES FROM (0) TO (100);
CREATE CONSTRAINT TRIGGER t5_trap AFTER INSERT ON bnd.t5 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred on a partition');
INSERT INTO bnd.t5 VALUES (1);
$attack$, 'applied', 'rows routed to a partition carry the event on the partition'),
(6, 'deferred trigger on an inheritance child', 'deployer', $attack$
CREATE TABLE bnd.t6 (id int);
CREATE TABLE bnd.t6c () INHERITS (bnd.t6);
INSERT INTO bnd.t6c VALUES (1);
CREATE CONSTRAINT TRIGGER t6_trap AFTER UPDATE ON bnd.t6c DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred on a child');
UPDATE bnd.t6 SET id = 2;
$attack$, 'applied', 'an UPDATE of the parent queues the child''s event'),
(7, 'deferred exclusion constraint on an expression', 'deployer', $attack$
CREATE TABLE bnd.t7 (id int, EXCLUDE USING btree ((bnd.trap_immutable(id)) WITH =) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO bnd.t7 VALUES (1), (2);
DELETE FROM bnd.t7 WHERE id = 2;
$attack$, 'applied', 'the recheck at COMMIT evaluates the expression as the applier'),
(8, 'deferred foreign key cascading into a trigger', 'deployer', $attack$
CREATE TABLE bnd.p8 (id int PRIMARY KEY);
CREATE TABLE bnd.c8 (p int REFERENCES bnd.p8 ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
CREATE TRIGGER c8_trap AFTER DELETE ON bnd.c8 FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('fk cascade');
INSERT INTO bnd.p8 VALUES (1);
INSERT INTO bnd.c8 VALUES (1);
DELETE FROM bnd.p8;
$attack$, 'applied', 'deferred RI work runs as the table owner: safe even at COMMIT'),
(9, 'deferred trigger that queues another', 'deployer', $attack$
CREATE TABLE bnd.t9 (id int);
CREATE TABLE bnd.t9b (id int);
CREATE CONSTRAINT TRIGGER t9_chain AFTER INSERT ON bnd.t9 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred chain, first');
CREATE CONSTRAINT TRIGGER t9b_trap AFTER INSERT ON bnd.t9b DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred chain, second');
CREATE FUNCTION bnd.chain() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
	INSERT INTO bnd.t9b VALUES (1);
	RETURN NULL;
END
$f$;
CREATE CONSTRAINT TRIGGER t9_next AFTER INSERT ON bnd.t9 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.chain();
INSERT INTO bnd.t9 VALUES (1);
$attack$, 'applied', 'a deferred trigger queues a second deferred event on another table'),
-- cursors: a WITH HOLD cursor runs at COMMIT, an open one at the next FETCH
(10, 'cursor WITH HOLD', 'deployer', $attack$
DECLARE bnd_hold CURSOR WITH HOLD FOR SELECT bnd.trap('cursor with hold');
$attack$, 'refused', 'the held cursor is materialized at COMMIT as the applier'),
(11, 'cursor WITH HOLD in dynamic SQL', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'DECLARE bnd_hold CURSOR WITH HOLD FOR SELECT bnd.trap(''cursor with hold, dynamic'')'; END $d$;
$attack$, 'refused', 'the same, out of the parser''s sight'),
(12, 'cursor left open by PL/pgSQL', 'deployer', $attack$
DO $d$ DECLARE c refcursor := 'bnd_cur'; BEGIN OPEN c FOR SELECT bnd.trap('plpgsql cursor'); END $d$;
$attack$, 'applied', 'FETCH ALL FROM bnd_cur later in the transaction runs the trap'),
(13, 'cursor declared and left open', 'deployer', $attack$
DECLARE bnd_cur2 CURSOR FOR SELECT bnd.trap('declared cursor');
$attack$, 'applied', 'the same with DECLARE'),
-- 2. session state outliving the revision
(14, 'temporary view shadowing a table', 'deployer', $attack$
CREATE TEMP VIEW accounts AS SELECT bnd.trap('temporary view') AS id;
$attack$, 'applied', 'the applier''s next SELECT FROM accounts runs the trap'),
(15, 'temporary table shadowing a table', 'deployer', $attack$
CREATE TEMP TABLE accounts (id int DEFAULT bnd.trap('temporary table default'));
$attack$, 'applied', 'the applier''s next INSERT INTO accounts runs the trap'),
(16, 'temporary function', 'deployer', $attack$
CREATE FUNCTION pg_temp.bnd_f() RETURNS int LANGUAGE sql AS 'SELECT bnd.trap(''temporary function'')';
$attack$, 'applied', 'a function that stays in pg_temp'),
(17, 'temporary sequence', 'deployer', $attack$
CREATE TEMP SEQUENCE bnd_seq;
$attack$, 'applied', 'a sequence that stays in pg_temp'),
(18, 'temporary domain and type', 'deployer', $attack$
CREATE DOMAIN pg_temp.bnd_d AS int CHECK (bnd.trap('temporary domain') = 1);
CREATE TYPE pg_temp.bnd_ty AS (a int);
$attack$, 'applied', 'types that stay in pg_temp'),
(19, 'temporary table ON COMMIT DROP', 'deployer', $attack$
CREATE TEMP TABLE bnd_tmp ON COMMIT DROP AS SELECT 1 AS a;
INSERT INTO bnd_tmp VALUES (2);
$attack$, 'applied', 'legitimate: a scratch table; it ends with the revision'),
(20, 'temporary table created by a function', 'deployer', $attack$
CREATE FUNCTION bnd.make_temp() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
	CREATE TEMP TABLE accounts (id int DEFAULT bnd.trap('temporary table from a function'));
END
$f$;
SELECT bnd.make_temp();
$attack$, 'applied', 'the shadow made out of the parser''s sight'),
(21, 'PREPARE', 'deployer', $attack$
PREPARE bnd_q AS SELECT bnd.trap('prepared statement');
$attack$, 'refused', 'EXECUTE bnd_q later runs the trap as the applier'),
(22, 'PREPARE in dynamic SQL', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'PREPARE bnd_q AS SELECT bnd.trap(''prepared statement, dynamic'')'; END $d$;
$attack$, 'refused', 'the same, out of the parser''s sight'),
(23, 'DEALLOCATE ALL in dynamic SQL', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'DEALLOCATE ALL'; END $d$;
$attack$, 'refused', 'drops the applier''s (or a pooled client''s) prepared statements'),
(24, 'LISTEN', 'deployer', $attack$
LISTEN bnd_channel;
$attack$, 'refused', 'the session (or the next client of a pooled connection) receives the channel'),
(25, 'LISTEN in dynamic SQL', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'LISTEN bnd_channel'; END $d$;
$attack$, 'refused', 'the same, out of the parser''s sight'),
(26, 'UNLISTEN * in dynamic SQL', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'UNLISTEN *'; END $d$;
$attack$, 'refused', 'silences the applier''s channels'),
(27, 'DISCARD TEMP in dynamic SQL', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'DISCARD TEMP'; END $d$;
$attack$, 'refused', 'drops the applier''s temporary tables'),
(28, 'LOAD in dynamic SQL', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'LOAD ''plpgsql'''; END $d$;
$attack$, 'refused', 'a library stays loaded for the rest of the session'),
(29, 'SET search_path', 'deployer', $attack$
SET search_path = bnd, public;
$attack$, 'applied', 'the applier''s next unqualified name resolves in bnd'),
(30, 'set_config(search_path) for the session', 'deployer', $attack$
SELECT set_config('search_path', 'bnd, public', false);
$attack$, 'applied', 'the same through a function'),
(31, 'set_config inside a function with its own SET clause', 'deployer', $attack$
CREATE FUNCTION bnd.set_work_mem() RETURNS text LANGUAGE sql SET work_mem = '1MB'
	AS $f$ SELECT set_config('statement_timeout', '1ms', false) $f$;
SELECT bnd.set_work_mem();
$attack$, 'applied', 'a session setting made from inside a function'),
(32, 'custom setting', 'deployer', $attack$
SET bnd.x = 'evil';
$attack$, 'applied', 'the applier''s current_setting(''bnd.x'') reads the body''s value'),
(33, 'set_config(role)', 'deployer', $attack$
SELECT set_config('role', 'postgres', false);
$attack$, 'refused', 'the session continues as another role'),
(34, 'set_config(session_authorization)', 'deployer', $attack$
SELECT set_config('session_authorization', 'postgres', false);
$attack$, 'refused', 'the session continues as another role'),
(35, 'session advisory lock', 'deployer', $attack$
SELECT pg_advisory_lock(4242);
$attack$, 'refused', 'the lock outlives the transaction'),
(36, 'the project''s own lock, session level', 'deployer', $attack$
SELECT pg_advisory_lock(1885826407, hashtext('bnd_36'));
$attack$, 'refused', 'the project stays locked after COMMIT: every writer gets PM035'),
(37, 'try_advisory_lock_shared', 'deployer', $attack$
SELECT pg_try_advisory_lock_shared(4242);
$attack$, 'refused', 'a shared session lock blocks exclusive takers'),
(38, 'advisory unlock all', 'deployer', $attack$
SELECT pg_advisory_unlock_all();
$attack$, 'refused', 'releases the applier''s session locks'),
(39, 'session advisory lock through an internal alias', 'superuser', $attack$
CREATE FUNCTION public.bnd_lock(bigint) RETURNS void LANGUAGE internal AS 'pg_advisory_lock_int8';
SELECT public.bnd_lock(4242);
$attack$, 'refused', 'pg_advisory_lock under another name'),
(40, 'CLOSE ALL', 'deployer', $attack$
CLOSE ALL;
$attack$, 'refused', 'closes the applier''s cursors'),
(41, 'CLOSE of a cursor the body did not open', 'deployer', $attack$
DO $d$ BEGIN EXECUTE 'CLOSE bnd_applier_cursor'; END $d$;
$attack$, 'refused', 'closes one of the applier''s cursors'),
(42, 'NOTIFY', 'deployer', $attack$
NOTIFY bnd_channel, 'schema changed';
$attack$, 'applied', 'legitimate: delivered at COMMIT, nothing stays'),
(43, 'SET CONSTRAINTS ALL IMMEDIATE', 'deployer', $attack$
CREATE TABLE bnd.t43 (id int);
CREATE CONSTRAINT TRIGGER t43_trap AFTER INSERT ON bnd.t43 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('fired by the body itself');
INSERT INTO bnd.t43 VALUES (1);
SET CONSTRAINTS ALL IMMEDIATE;
$attack$, 'applied', 'legitimate: the body fires its own deferred events'),
-- 4. touching pgmig indirectly (a deployer has no privilege for any of
-- these; a superuser's body is stopped by the tamper guard)
(44, 'setval of the graph cache''s sequence (deployer)', 'deployer', $attack$
SELECT setval('pgmig.state_version_seq', 1);
$attack$, 'refused', 'no privilege'),
(45, 'setval of the graph cache''s sequence', 'superuser', $attack$
SELECT setval('pgmig.state_version_seq', 1);
$attack$, 'applied', 'versions drawn again: every backend trusts a stale graph cache'),
(46, 'setval of the event ids', 'superuser', $attack$
SELECT setval('pgmig.event_event_id_seq', 1);
$attack$, 'refused', 'event ids handed out again'),
(47, 'setval of the event ids, then an error', 'superuser', $attack$
SELECT setval('pgmig.event_event_id_seq', 1);
SELECT 1 / 0;
$attack$, 'refused', 'setval is not rolled back with the failed revision'),
(48, 'UPDATE pg_trigger (deployer)', 'deployer', $attack$
UPDATE pg_catalog.pg_trigger SET tgenabled = 'D' WHERE tgname = 'event_append_only';
$attack$, 'refused', 'no privilege'),
(49, 'UPDATE pg_trigger', 'superuser', $attack$
UPDATE pg_catalog.pg_trigger SET tgenabled = 'D' WHERE tgname = 'event_append_only';
$attack$, 'refused', 'disables the append-only trigger of pgmig.event'),
(50, 'DELETE FROM pg_depend', 'superuser', $attack$
DELETE FROM pg_catalog.pg_depend WHERE objid = 'pgmig.applied'::regclass AND deptype = 'e';
$attack$, 'refused', 'detaches pgmig.applied from the extension'),
(51, 'replace a pg_catalog function pgmig calls', 'superuser', $attack$
CREATE OR REPLACE FUNCTION pg_catalog.pg_advisory_xact_lock(integer, integer) RETURNS void LANGUAGE sql AS 'SELECT';
$attack$, 'refused', 'the project lock becomes a no-op: appliers run revisions twice'),
(52, 'deferred trigger writing pgmig.applied', 'superuser', $attack$
CREATE TABLE public.bnd_t52 (id int);
CREATE FUNCTION public.bnd_forget() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
	DELETE FROM pgmig.applied WHERE project = 'bnd_52';
	RETURN NULL;
END
$f$;
CREATE CONSTRAINT TRIGGER t52 AFTER INSERT ON public.bnd_t52 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION public.bnd_forget();
INSERT INTO public.bnd_t52 VALUES (1);
$attack$, 'refused', 'at COMMIT the applied rows go: the revision runs again next time'),
(53, 'event trigger writing pgmig.applied', 'superuser', $attack$
CREATE FUNCTION public.bnd_forget_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $f$
BEGIN
	DELETE FROM pgmig.applied WHERE project = 'bnd_53';
END
$f$;
CREATE EVENT TRIGGER bnd_et ON ddl_command_end EXECUTE FUNCTION public.bnd_forget_ddl();
CREATE TABLE public.bnd_t53 (id int);
$attack$, 'refused', 'fires on the body''s next DDL statement'),
(54, 'rule writing pgmig.applied', 'superuser', $attack$
CREATE TABLE public.bnd_t54 (id int);
CREATE RULE bnd_r54 AS ON INSERT TO public.bnd_t54 DO ALSO DELETE FROM pgmig.applied WHERE project = 'bnd_54';
INSERT INTO public.bnd_t54 VALUES (1);
$attack$, 'refused', 'the rule''s action runs with the INSERT'),
(55, 'policy on a pgmig table', 'superuser', $attack$
CREATE POLICY bnd_p55 ON pgmig.applied USING (false);
$attack$, 'refused', 'hides applied rows from pgmig''s own reads'),
(56, 'ALTER SEQUENCE of pgmig', 'superuser', $attack$
ALTER SEQUENCE pgmig.event_event_id_seq INCREMENT BY -1;
$attack$, 'refused', 'event ids run backwards'),
-- writes that reach the table by another way than its name
(57, 'deferred trigger reached through an updatable view', 'deployer', $attack$
CREATE TABLE bnd.t57 (id int);
CREATE CONSTRAINT TRIGGER t57_trap AFTER INSERT ON bnd.t57 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred trigger behind a view');
CREATE VIEW bnd.v57 AS SELECT id FROM bnd.t57;
INSERT INTO bnd.v57 VALUES (1);
$attack$, 'applied', 'the view is rewritten to its table, whose trigger fires at COMMIT as the applier'),
(58, 'deferred trigger reached by MERGE', 'deployer', $attack$
CREATE TABLE bnd.t58 (id int PRIMARY KEY, n int);
CREATE CONSTRAINT TRIGGER t58_trap AFTER UPDATE ON bnd.t58 DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bnd.trap_trigger('deferred trigger behind MERGE');
INSERT INTO bnd.t58 VALUES (1, 0);
MERGE INTO bnd.t58 t USING (VALUES (1)) s(id) ON t.id = s.id WHEN MATCHED THEN UPDATE SET n = t.n + 1;
$attack$, 'applied', 'MERGE queues the trigger''s event like UPDATE does');
