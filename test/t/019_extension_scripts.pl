# 019_extension_scripts.pl — pgspot's rules on pgmig's install and upgrade
# scripts, and the catalog they leave behind (RELIABILITY.md D1, D2, D8).
#
# Static part (no server): ScriptCheck (test/perl/ScriptCheck.pm) reads
# pgmig.control and every pgmig--*.sql, follows the install/update chain to
# default_version and checks each script with pgspot's rules (PS001 ...
# PS018) and pgmig's own (PSX00 ... PSX15: @extschema@ inside quotes,
# SECURITY DEFINER, objects outside schema pgmig, EXECUTE left to PUBLIC,
# grants to PUBLIC, ownership given away, the control file, downgrade and
# orphan scripts).  There is one `ok` per rule per script, so the count of
# tests says how much was checked; each failure lists file:line, code, object
# and detail.  Findings can be accepted only through @ALLOW below (code, file,
# object, optional detail pattern, and a reason); it is empty.
#
# Which scripts: $PGMIG_EXTENSION_DIR (a directory with pgmig.control and
# sql/), else extension/ under $PGMIG_SOURCE when present, else the copies
# installed in `pg_config --sharedir`/extension (scripts/test.sh and
# /tmp/runtap.sh copy only test/ and examples/, and the live part below runs
# the installed copies anyway).  When the source tree is used, the installed
# copies must be byte-identical to it.
#
# The rules fire: a table of small scripts, each with the exact multiset of
# codes it must produce (at least one per rule, plus clean look-alikes that
# must produce none), tokenizer cases (quotes, dollar quotes, nested comments,
# meta-commands, line numbers), chain and control-file cases, and the
# allow-list mechanism itself.
#
# Live part (one PostgreSQL::Test::Cluster node):
#  - CREATE EXTENSION pgmig at the default version, and, in another database,
#    the install script's version followed by ALTER EXTENSION UPDATE through
#    every version of the chain; after each step: the D8 query
#    (SECURITY DEFINER or EXECUTE for PUBLIC in schema pgmig) returns 0 rows;
#    every function, table, sequence, view and type in schema pgmig (and each
#    event trigger calling one) is a member of the extension owned by the
#    extension owner; nothing pgmig's objects depend on lies outside
#    pg_catalog and pgmig (so every operator the CHECK constraints use
#    resolved to pg_catalog); the numbers of functions, tables, sequences,
#    views and types equal what the checker counted statically for that
#    version (the tokenizer missed no statement);
#  - both databases end with the same pgmig objects, owners and ACLs;
#  - pg_extension_update_paths('pgmig') offers no path to a lower version;
#  - a non-superuser CREATE EXTENSION pgmig fails with 42501;
#  - a pre-existing schema pgmig owned by another role is refused (42501),
#    and so must be one owned by the installing superuser on which another
#    role has CREATE (RELIABILITY.md D2: "has no CREATE for anyone else,
#    else RAISE").
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use ScriptCheck qw(tokenize split_statements check_set check_directory
  check_snippet apply_allow version_cmp %CODES @SCRIPT_RULES @CONTROL_RULES);

# Accepted findings: { code, file, object, detail => qr/.../ (optional),
# reason }.  Empty on purpose; every entry must match a finding.
# Findings accepted, each with its reason.  The CHECK (col IN (...))
# constraints of the released (frozen) scripts use an unqualified `=`: it is
# resolved once, when the script runs, to pg_catalog.=(text,text), an exact
# match in pg_catalog, which CREATE EXTENSION searches first; the constraint
# stores the operator's OID, so no later search_path matters (the live part
# checks that nothing pgmig's objects depend on lies outside pg_catalog and
# pgmig).  New scripts pin search_path or write OPERATOR(pg_catalog.=).
my $frozen_in = 'frozen script; the IN resolves at install to pg_catalog.=(text,text) (exact match, pg_catalog searched '
  . 'first) and the constraint stores that operator; checked live below';
my @ALLOW = map { { code => 'PS001', file => $_->[0], object => $_->[1], detail => qr/^IN$/, reason => $frozen_in } } (
	[ 'pgmig--0.1.sql',      'pgmig.applied' ],
	[ 'pgmig--0.1.sql',      'pgmig.event' ],
	[ 'pgmig--0.1--0.2.sql', 'pgmig.nontx_lease' ],
	[ 'pgmig--0.1--0.2.sql', 'pgmig.event' ],
	[ 'pgmig--0.2--0.3.sql', 'pgmig.schema_change' ],
	[ 'pgmig--0.2--0.3.sql', 'pgmig.event' ],
	[ 'pgmig--0.2--0.3.sql', 'pgmig.policy' ]);

my $node     = PostgreSQL::Test::Cluster->new('scripts');
my $sharedir = $node->config_data('--sharedir');
my $installed = "$sharedir/extension";

# Where the scripts under test are: (control file, sql dir, description).
sub script_location
{
	if (my $d = $ENV{PGMIG_EXTENSION_DIR})
	{
		return ("$d/pgmig.control", -d "$d/sql" ? "$d/sql" : $d, "\$PGMIG_EXTENSION_DIR ($d)");
	}
	my $src = $ENV{PGMIG_SOURCE};
	if ($src && -f "$src/extension/pgmig.control")
	{
		return ("$src/extension/pgmig.control", "$src/extension/sql", "source tree ($src/extension)");
	}
	return ("$installed/pgmig.control", $installed, "installed copies ($installed)");
}

# One line per finding, for diagnostics.
sub show
{
	return join('', map { sprintf("  %s %s:%d [%s] %s\n", @$_{qw(code file line object detail)}) } @_);
}

# ---------------------------------------------------------------------------
# 1. The shipped scripts.
# ---------------------------------------------------------------------------

my ($control, $sqldir, $where) = script_location();
note("checking the $where");
my $res = check_directory($control, $sqldir);
my ($findings, $unused) = apply_allow($res->{findings}, \@ALLOW);
my @order   = @{ $res->{order} };
my $default = $res->{control}{default_version};

ok(@order >= 1, "an install/update chain reaches default_version $default: @order");
like($order[-1], qr/--\Q$default\E\.sql$/, "the chain ends with a script for $default");
for my $f (@order)
{
	cmp_ok($res->{statements}{$f} // 0, '>', 0, "$f: the checker read $res->{statements}{$f} statements");
}
for my $f (@order)
{
	for my $code (@SCRIPT_RULES)
	{
		my @f = grep { $_->{file} eq $f && $_->{code} eq $code } @$findings;
		ok(!@f, "$f: $code ($CODES{$code}): 0 findings") or diag("expected none, found:\n" . show(@f));
	}
}
for my $code (@CONTROL_RULES)
{
	my @f = grep { $_->{file} eq 'pgmig.control' && $_->{code} eq $code } @$findings;
	ok(!@f, "pgmig.control: $code ($CODES{$code}): 0 findings") or diag("expected none, found:\n" . show(@f));
}
my %checked = map { $_ => 1 } @order, 'pgmig.control';
my @elsewhere = grep { !$checked{ $_->{file} } } @$findings;
ok(!@elsewhere, 'every pgmig--*.sql is on the chain and goes up a version (no findings in other files)')
  or diag("expected none, found:\n" . show(@elsewhere));
is(scalar @$unused, 0, 'every allow-list entry matches a finding')
  or diag(join('', map { "  unused: $_->{code} $_->{file} [$_->{object}]\n" } @$unused));

if ($where !~ /^installed/)
{
	for my $f ('pgmig.control', @order)
	{
		my $src  = $f eq 'pgmig.control' ? $control : "$sqldir/$f";
		my $inst = "$installed/$f";
		ok(-f $inst && slurp_file($src) eq slurp_file($inst), "installed $f is identical to the one checked")
		  or diag("$inst differs from $src (run make install); the live part tests the installed one");
	}
}

# ---------------------------------------------------------------------------
# 2. Every rule fires (and look-alikes stay quiet).
# ---------------------------------------------------------------------------

# Each case: name, the update script pgmig--1.0--1.1.sql, the codes it must
# produce (a multiset), and options (prelude: the install script 1.0).
my $REV = "REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA pgmig FROM PUBLIC;\n";
my $CFN = "CREATE FUNCTION pgmig.f() RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\n$REV";
my @cases = (
	[ 'PS001: operator at top level', 'SELECT 1 + 1;', ['PS001'] ],
	[ 'no PS001 after SET LOCAL search_path = pg_catalog, pg_temp', "SET LOCAL search_path = pg_catalog, pg_temp;\nSELECT 1 + 1;", [] ],
	[ 'PS001 again after RESET search_path', "SET LOCAL search_path = pg_catalog, pg_temp;\nRESET search_path;\nSELECT 1 + 1;", ['PS001'] ],
	[ 'no PS001 after pg_catalog.set_config(search_path)', "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);\nSELECT 1 + 1;", [] ],
	[ 'PS001: IN in a CHECK constraint', "CREATE TABLE pgmig.t (a text CHECK (a IN ('x', 'y')));", ['PS001'] ],
	[ 'PS001: NOT IN, = ANY', "SELECT 1 FROM pgmig.t WHERE a NOT IN (1) AND b = ANY (ARRAY[1]);", [qw(PS001 PS001)] ],
	[ 'PS001: BETWEEN, LIKE, IS DISTINCT FROM, NULLIF',
	  "SELECT pg_catalog.now() FROM pgmig.t WHERE a BETWEEN 1 AND 2 AND b LIKE 'x' AND c IS DISTINCT FROM d AND NULLIF(e, f) IS NULL;",
	  [qw(PS001 PS001 PS001 PS001)] ],
	[ 'PS001: OPERATOR(+) without a schema', 'SELECT 1 OPERATOR(+) 1;', ['PS001'] ],
	[ 'no PS001: OPERATOR(pg_catalog.+), negative constant, count(*), SELECT *',
	  "SELECT 1 OPERATOR(pg_catalog.+) -1, pg_catalog.count(*) FROM pgmig.t;\nSELECT * FROM pgmig.t;", [] ],
	[ 'PS002: CREATE OR REPLACE FUNCTION not created before',
	  "CREATE OR REPLACE FUNCTION pgmig.f() RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\n$REV", ['PS002'] ],
	[ 'no PS002: OR REPLACE of a function the install script created',
	  "CREATE OR REPLACE FUNCTION pgmig.f() RETURNS integer AS 'MODULE_PATHNAME', 'f2' LANGUAGE C;", [], prelude => $CFN ],
	[ 'PS002: OR REPLACE after the function was dropped',
	  "DROP FUNCTION pgmig.f();\nCREATE OR REPLACE FUNCTION pgmig.f() RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\n$REV",
	  ['PS002'], prelude => $CFN ],
	[ 'PS003 + PSX02: SECURITY DEFINER without search_path',
	  "CREATE FUNCTION pgmig.f() RETURNS integer LANGUAGE sql SECURITY DEFINER AS \$\$SELECT 1\$\$;\n$REV", [qw(PS003 PSX02)] ],
	[ 'PS004 + PSX02: SECURITY DEFINER with search_path public, pg_temp',
	  "CREATE FUNCTION pgmig.f() RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS \$\$SELECT 1\$\$;\n$REV",
	  [qw(PS004 PSX02)] ],
	[ 'PSX02 alone: SECURITY DEFINER with a pinned search_path',
	  "CREATE FUNCTION pgmig.f() RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS \$\$SELECT 1\$\$;\n$REV",
	  ['PSX02'] ],
	[ 'PSX02: ALTER FUNCTION ... SECURITY DEFINER', 'ALTER FUNCTION pgmig.f() SECURITY DEFINER;', ['PSX02'], prelude => $CFN ],
	[ 'PS005: SQL function without SET search_path',
	  "CREATE FUNCTION pgmig.f() RETURNS integer LANGUAGE sql AS \$\$SELECT 1\$\$;\n$REV", ['PS005'] ],
	[ 'PS005: PL/pgSQL function with search_path pg_catalog only (pg_temp first)',
	  "CREATE FUNCTION pgmig.f() RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog AS \$\$BEGIN RETURN 1; END\$\$;\n$REV",
	  ['PS005'] ],
	[ 'PS005: ALTER FUNCTION ... RESET search_path',
	  "ALTER FUNCTION pgmig.g() RESET search_path;", ['PS005'],
	  prelude => "CREATE FUNCTION pgmig.g() RETURNS integer LANGUAGE sql SET search_path = pg_catalog, pg_temp AS 'SELECT 1';\n$REV" ],
	[ 'PS005 + PS001 + PS017: an unpinned SQL body is checked like the top level',
	  "CREATE FUNCTION pgmig.f(a integer) RETURNS integer LANGUAGE sql AS \$\$SELECT a + 1 FROM t\$\$;\n$REV", [qw(PS005 PS001 PS017)] ],
	[ 'no findings: builtins unqualified in a pinned SQL body',
	  "CREATE FUNCTION pgmig.f(a integer) RETURNS bigint LANGUAGE sql SET search_path = pg_catalog, pg_temp\n"
		. "AS \$\$SELECT count(*) + a FROM pg_class WHERE relname = 'x' AND relkind IN ('r') AND CASE relkind WHEN 'r' THEN true END\$\$;\n$REV",
	  [] ],
	[ 'PS016 + PS017: the extension\'s objects unqualified in a pinned body',
	  "CREATE FUNCTION pgmig.g() RETURNS bigint LANGUAGE sql SET search_path = pg_catalog, pg_temp AS \$\$SELECT count(*) FROM revision UNION ALL SELECT f()\$\$;\n$REV",
	  [qw(PS016 PS017)], prelude => "CREATE TABLE pgmig.revision (a integer);\n$CFN" ],
	[ 'PS017: a pinned body reading a relation that can only be in pg_temp',
	  "CREATE FUNCTION pgmig.g() RETURNS bigint LANGUAGE sql SET search_path = pg_catalog, pg_temp AS \$\$SELECT count(*) FROM things\$\$;\n$REV",
	  ['PS017'] ],
	[ 'PS006: CREATE OR REPLACE TRANSFORM',
	  "CREATE OR REPLACE TRANSFORM FOR pgmig.t LANGUAGE plpgsql (FROM SQL WITH FUNCTION pgmig.f(internal));", ['PS006'] ],
	[ 'PS007: CREATE OR REPLACE AGGREGATE',
	  "CREATE OR REPLACE AGGREGATE pgmig.agg(integer) (SFUNC = pgmig.s, STYPE = integer);\n$REV", ['PS007'] ],
	[ 'PS007: CREATE COLLATION IF NOT EXISTS', "CREATE COLLATION IF NOT EXISTS pgmig.c (provider = icu, locale = 'und');", ['PS007'] ],
	[ 'PS007: CREATE EXTENSION IF NOT EXISTS', 'CREATE EXTENSION IF NOT EXISTS hstore;', ['PS007'] ],
	[ 'PS007: CREATE OR REPLACE TRIGGER not created before',
	  'CREATE OR REPLACE TRIGGER tr BEFORE UPDATE ON pgmig.t FOR EACH ROW EXECUTE FUNCTION pgmig.f();', ['PS007'] ],
	[ 'PS009: simple CASE', "SELECT CASE pg_catalog.now() WHEN NULL THEN 'a' END;", ['PS009'] ],
	[ 'no PS009: searched CASE', "SELECT CASE WHEN true THEN 'a' END;", [] ],
	[ 'PS010: CREATE SCHEMA IF NOT EXISTS',  'CREATE SCHEMA IF NOT EXISTS pgmig_extra;',          ['PS010'] ],
	[ 'PS011: CREATE SEQUENCE IF NOT EXISTS', 'CREATE SEQUENCE IF NOT EXISTS pgmig.s;',           ['PS011'] ],
	[ 'PS012: CREATE TABLE IF NOT EXISTS',   'CREATE TABLE IF NOT EXISTS pgmig.t (a integer);',  ['PS012'] ],
	[ 'PS013: CREATE SERVER IF NOT EXISTS',  'CREATE SERVER IF NOT EXISTS s FOREIGN DATA WRAPPER w;', ['PS013'] ],
	[ 'PS014: CREATE INDEX IF NOT EXISTS',   'CREATE INDEX IF NOT EXISTS t_a ON pgmig.t (a);',   ['PS014'] ],
	[ 'PS015: CREATE OR REPLACE VIEW not created before', 'CREATE OR REPLACE VIEW pgmig.v AS SELECT 1 AS a;', ['PS015'] ],
	[ 'no PS015: OR REPLACE of a view the install script created',
	  'CREATE OR REPLACE VIEW pgmig.v AS SELECT 1 AS a, 2 AS b;', [], prelude => 'CREATE VIEW pgmig.v AS SELECT 1 AS a;' ],
	[ 'PS016: unqualified call', 'SELECT now();', ['PS016'] ],
	[ 'PS016: unqualified trigger function',
	  'CREATE TRIGGER tr BEFORE UPDATE ON pgmig.t FOR EACH ROW EXECUTE FUNCTION trig();', ['PS016'] ],
	[ 'PS017: unqualified relation', 'SELECT pg_catalog.count(*) FROM pg_class;', ['PS017'] ],
	[ 'PS017: cast to an unqualified type', "SELECT 'x'::text;", ['PS017'] ],
	[ 'no PS017: keyword types (pg_catalog by grammar)', "SELECT '1'::integer, CAST('2' AS bigint), '3'::double precision;", [] ],
	[ 'PS017: unqualified table in a regclass string', "SELECT pg_catalog.pg_extension_config_dump('revision', '');", ['PS017'] ],
	[ 'PS017: ALTER TABLE of an unqualified table', 'ALTER TABLE revision ADD COLUMN b integer;', ['PS017'] ],
	[ 'PS017: unqualified REFERENCES',
	  'CREATE TABLE pgmig.t (a integer REFERENCES other (a));', ['PS017'] ],
	[ 'PS018: search_path as one quoted string', "SET search_path TO 'pg_catalog, pg_temp';", ['PS018'] ],
	[ 'PSX01: @extschema@ in a string literal', "COMMENT ON TABLE pgmig.t IS 'lives in \@extschema\@';", ['PSX01'] ],
	[ 'PSX01: @extowner@ in a dollar quote', "DO \$\$BEGIN RAISE NOTICE 'owner \@extowner\@'; END\$\$;", ['PSX01'] ],
	[ 'PSX01: @extschema@ in a quoted identifier', 'CREATE TABLE pgmig."@extschema@_t" (a integer);', ['PSX01'] ],
	[ 'no PSX01: @extschema@ outside quotes', 'CREATE TABLE @extschema@.t (a integer);', [] ],
	[ 'PSX03 + PS017: table created without a schema', 'CREATE TABLE t (a integer);', [qw(PSX03 PS017)] ],
	[ 'PSX03: function created without a schema',
	  "CREATE FUNCTION f() RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\n$REV", ['PSX03'] ],
	[ 'PSX04: table created in public',       'CREATE TABLE public.t (a integer);', ['PSX04'] ],
	[ 'PSX04: ALTER ... SET SCHEMA public',    'ALTER TABLE pgmig.t SET SCHEMA public;', ['PSX04'] ],
	[ 'PSX05: EXECUTE not revoked', "CREATE FUNCTION pgmig.f() RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;", ['PSX05'] ],
	[ 'PSX05: REVOKE ... ALL FUNCTIONS before the CREATE does not cover it',
	  "REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA pgmig FROM PUBLIC;\nCREATE FUNCTION pgmig.f() RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;",
	  ['PSX05'] ],
	[ 'no PSX05: revoked by signature (type aliases normalised)',
	  "CREATE FUNCTION pgmig.f(a int4, b varchar, OUT c text) RETURNS text AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\n"
		. 'REVOKE ALL ON FUNCTION pgmig.f(integer, character varying) FROM PUBLIC;', [] ],
	[ 'PSX05: revoked for another signature',
	  "CREATE FUNCTION pgmig.f(a int4) RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\nREVOKE ALL ON FUNCTION pgmig.f(text) FROM PUBLIC;",
	  ['PSX05'] ],
	[ 'PSX05: revoked from a role, not PUBLIC',
	  "CREATE FUNCTION pgmig.f() RETURNS integer AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\nREVOKE EXECUTE ON FUNCTION pgmig.f() FROM pgmig_reader;",
	  ['PSX05'] ],
	[ 'PSX06: GRANT EXECUTE TO PUBLIC', 'GRANT EXECUTE ON FUNCTION pgmig.f() TO PUBLIC;',               ['PSX06'] ],
	[ 'PSX06: GRANT SELECT to a role and PUBLIC', 'GRANT SELECT ON pgmig.t TO pgmig_reader, PUBLIC;', ['PSX06'] ],
	[ 'PSX06: default privileges for PUBLIC',
	  'ALTER DEFAULT PRIVILEGES IN SCHEMA pgmig GRANT EXECUTE ON FUNCTIONS TO PUBLIC;', ['PSX06'] ],
	[ 'PSX07: OWNER TO another role', 'ALTER TABLE pgmig.t OWNER TO alice;', ['PSX07'] ],
	[ 'no PSX07: OWNER TO @extowner@', 'ALTER TABLE pgmig.t OWNER TO @extowner@;', [] ],
	[ 'PSX00: unterminated dollar quote', 'SELECT $x$ abc;', ['PSX00'] ],
	[ 'no findings: a qualified PL/pgSQL DO block (assignments, FOR IN, RAISE USING, labels)',
	  "DO \$d\$\n#variable_conflict use_column\n<<main>>\nDECLARE r record; n integer := 0; m text = 'a';\nBEGIN\n"
		. "  FOR r IN SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.=) 'x' LOOP\n"
		. "    n := n OPERATOR(pg_catalog.+) 1; m = r.relname;\n  END LOOP;\n"
		. "  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles) THEN\n"
		. "    RAISE EXCEPTION 'x' USING ERRCODE = '42501', HINT = pg_catalog.format('%s', n);\n  END IF;\n"
		. "  GET DIAGNOSTICS n = ROW_COUNT;\nEND main\n\$d\$;",
	  [] ],
	[ 'PS016: SET search_path inside PL/pgSQL holds until RESET; a nested DO inherits it',
	  "DO \$d\$\nBEGIN\n  SET LOCAL search_path = pg_catalog, pg_temp;\n  PERFORM now();\n"
		. "  DO \$i\$ BEGIN PERFORM now(); RESET search_path; PERFORM now(); END \$i\$;\n  PERFORM now();\nEND\n\$d\$;",
	  [qw(PS016 PS016)] ],
	[ 'PS016: a SET search_path made by a DO block lasts after it',
	  "DO \$\$BEGIN RESET search_path; END\$\$;\nSELECT now();", ['PS016'],
	  prelude => '' ],
	[ 'no PS016 after a DO block pins the search_path',
	  "DO \$\$BEGIN SET LOCAL search_path = pg_catalog, pg_temp; END\$\$;\nSELECT now();", [] ],
	[ 'PS016: EXECUTE of a constant query is checked as SQL',
	  "DO \$\$BEGIN EXECUTE 'SELECT now()'; EXECUTE pg_catalog.format('SELECT %s', 1); END\$\$;", ['PS016'] ],
	[ 'PS017: a CTE is visible only in its own WITH',
	  "WITH a AS (SELECT 1), b AS (WITH c AS (SELECT 1) SELECT * FROM c), d AS (SELECT * FROM c)\n"
		. "SELECT * FROM a CROSS JOIN b CROSS JOIN d;", ['PS017'] ],
	[ 'no PS017: ROWS FROM (...) is not a relation',
	  'SELECT * FROM ROWS FROM (pg_catalog.generate_series(1, 2), pg_catalog.generate_series(1, 3)) AS r(a, b);', [] ],
	[ 'no PS005: search_path pg_temp alone (pg_catalog is then searched first)',
	  "CREATE FUNCTION pgmig.f() RETURNS integer LANGUAGE sql SET search_path = pg_temp AS \$\$SELECT 1\$\$;\n$REV", [] ],
	[ 'no PS010/PS012/PS007: IF NOT EXISTS and OR REPLACE in a schema the script created',
	  "CREATE SCHEMA pgmig_own;\nCREATE SCHEMA IF NOT EXISTS pgmig_own;\nCREATE TABLE IF NOT EXISTS pgmig_own.t (a integer);\n"
		. "CREATE OR REPLACE VIEW pgmig_own.v AS SELECT 1 AS a;", [qw(PSX04 PSX04)] ],
	[ 'PS007: OR REPLACE of an aggregate created with OR REPLACE, old syntax by BASETYPE',
	  "CREATE AGGREGATE pgmig.agg (BASETYPE = integer, SFUNC = pgmig.s, STYPE = integer);\n"
		. "CREATE OR REPLACE AGGREGATE pgmig.agg (BASETYPE = integer, SFUNC = pgmig.s, STYPE = integer);\n"
		. "CREATE OR REPLACE AGGREGATE pgmig.agg (BASETYPE = bigint, SFUNC = pgmig.s, STYPE = integer);\n$REV", ['PS007'] ],
	[ 'no PSX05: argument mode after the name (blkno OUT bigint) is not part of the signature',
	  "CREATE FUNCTION pgmig.f(rel regclass, blkno OUT bigint) RETURNS bigint AS 'MODULE_PATHNAME', 'f' LANGUAGE C;\n"
		. 'REVOKE ALL ON FUNCTION pgmig.f(regclass) FROM PUBLIC;', [] ],
	[ 'PS016 + PS001 + PS009: an unqualified PL/pgSQL DO block',
	  "DO \$d\$\nDECLARE n integer = 0;\nBEGIN\n  n = length('abc');\n  IF n > 2 THEN PERFORM 1; END IF;\n"
		. "  CASE n WHEN 1 THEN NULL; ELSE NULL; END CASE;\nEND\n\$d\$;",
	  [qw(PS016 PS001 PS009)] ],
);
for my $c (@cases)
{
	my ($name, $sql, $want, %o) = @$c;
	my $r    = check_snippet($sql, %o);
	my @mine = grep { $_->{file} eq 'pgmig--1.0--1.1.sql' } @{ $r->{findings} };
	my @rest = grep { $_->{file} ne 'pgmig--1.0--1.1.sql' } @{ $r->{findings} };
	my @got  = sort map { $_->{code} } @mine;
	is_deeply(\@got, [ sort @$want ], $name)
	  or diag("script:\n$sql\nexpected [@{[sort @$want]}], found:\n" . show(@mine));
	ok(!@rest, "$name: the prelude and control file are clean") or diag(show(@rest)) if %o;
}
my %fired = map { $_ => 1 } map { @{ $_->[2] } } @cases;
my @never = grep { !$fired{$_} && $_ !~ /^PSX1[0-5]$/ } @SCRIPT_RULES;
ok(!@never, 'every script rule except the chain rules has a case that fires it') or diag("no case fires: @never");

# Lines: the finding is reported on the line of the offending token, also
# inside a function body and a dollar quote.
{
	my $sql = "-- header\n\nSELECT pg_catalog.now()\n  FROM pgmig.t\n WHERE a = 1;\n"
	  . "CREATE FUNCTION pgmig.f() RETURNS integer LANGUAGE sql\nAS \$b\$\n  SELECT 1\n    + 2\n\$b\$;\n$REV"
	  . "DO \$\$\nBEGIN\n  RAISE NOTICE '\@extschema\@';\nEND\$\$;\n";
	my $r = check_snippet($sql);
	my %line = map { ("$_->{code}:$_->{line}" => 1) } @{ $r->{findings} };
	ok($line{'PS001:5'},  'operator on line 5 reported at line 5')            or diag(show(@{ $r->{findings} }));
	ok($line{'PS005:6'},  'function without search_path reported at its CREATE (line 6)') or diag(show(@{ $r->{findings} }));
	ok($line{'PS001:9'}, 'operator inside the function body reported at line 9') or diag(show(@{ $r->{findings} }));
	ok($line{'PSX01:14'}, '@extschema@ inside the DO body reported at line 14') or diag(show(@{ $r->{findings} }));
}

# The tokenizer: ; inside quotes, dollar quotes with tags, quoted identifiers
# and nested comments does not split; meta-commands are dropped.
{
	my $sql = "\\echo Use CREATE EXTENSION \\quit\n"
	  . "SELECT 'a;b', E'it\\'s;', \$\$x;y\$\$, \$fn\$ \$\$ ; \$fn\$, \"we;\"\"ird\", U&'d\\0061t;a', B'1010';\n"
	  . "/* outer /* inner ; */ still comment ; */\n-- comment ;\nSELECT 1;\nSELECT 'multi\nline;';\n";
	my ($toks, $errs) = tokenize($sql, 1);
	is(scalar @$errs, 0, 'tokenizer: no errors on the tricky script') or diag(join("\n", map { "$_->{line}: $_->{msg}" } @$errs));
	my @st = split_statements($toks);
	is(scalar @st, 3, 'tokenizer: three statements');
	is($st[1][0]{line}, 5, 'tokenizer: the second statement starts on line 5');
	is($st[2][0]{line}, 6, 'tokenizer: the third statement starts on line 6');
	my @vals = map { $_->{v} } grep { $_->{t} =~ /^(str|dollar|qident)$/ } @{ $st[0] };
	is_deeply(\@vals, [ 'a;b', "it's;", 'x;y', ' $$ ; ', 'we;"ird', 'd\\0061t;a', '1010' ], 'tokenizer: literal values');
	my ($t2) = tokenize('a <>- b >=+ c @- d', 1);
	is_deeply([ map { $_->{v} } @$t2 ], [ 'a', '<>', '-', 'b', '>=', '+', 'c', '@-', 'd' ], 'tokenizer: operators split like scan.l');
}

# The chain and the control file.
{
	my $good = "default_version = '1.1'\nrelocatable = false\nschema = pgmig\nsuperuser = true\ntrusted = false\n";
	my $r = check_set(
		control => $good,
		scripts => {
			'pgmig--1.0.sql'      => '',
			'pgmig--1.0--1.1.sql' => '',
			'pgmig--1.1--1.0.sql' => '',
			'pgmig--2.0--2.1.sql' => '',
		});
	my @got = sort map { "$_->{code} $_->{file}" } @{ $r->{findings} };
	is_deeply(\@got, [ 'PSX14 pgmig--1.1--1.0.sql', 'PSX15 pgmig--1.1--1.0.sql', 'PSX15 pgmig--2.0--2.1.sql' ],
		'PSX14 for a downgrade script, PSX15 for scripts off the chain')
	  or diag(show(@{ $r->{findings} }));
	is_deeply($r->{order}, [ 'pgmig--1.0.sql', 'pgmig--1.0--1.1.sql' ], 'the chain is 1.0 then 1.0--1.1');

	$r = check_set(
		control => "default_version = '1.1'\nrelocatable = true\nschema = public\nsuperuser = false\ntrusted = true\n",
		scripts => { 'pgmig--1.1.sql' => '' });
	@got = sort map { $_->{code} } @{ $r->{findings} };
	is_deeply(\@got, [qw(PSX10 PSX11 PSX12 PSX13)], 'control: relocatable, superuser, trusted and schema are each reported')
	  or diag(show(@{ $r->{findings} }));

	$r = check_set(control => "default_version = '2.0'\nschema = pgmig\n", scripts => { 'pgmig--1.0.sql' => '' });
	@got = sort map { "$_->{code} $_->{file}" } @{ $r->{findings} };
	is_deeply(\@got, [ 'PSX15 pgmig--1.0.sql', 'PSX15 pgmig.control' ], 'control: no chain reaches default_version')
	  or diag(show(@{ $r->{findings} }));
}

# The allow-list: an entry removes exactly its findings, an unmatched entry
# is reported, an entry without a reason is refused.
{
	my $r = check_snippet("SELECT 1 + 1;\nSELECT now();");
	my ($kept, $unused) = apply_allow($r->{findings},
		[ { code => 'PS001', file => 'pgmig--1.0--1.1.sql', object => 'SELECT', detail => qr/operator \+/, reason => 'test' } ]);
	is_deeply([ map { $_->{code} } @$kept ], ['PS016'], 'allow-list: the PS001 entry removes the PS001 finding only');
	is(scalar @$unused, 0, 'allow-list: the entry was used');
	($kept, $unused) = apply_allow($r->{findings},
		[ { code => 'PS001', file => 'pgmig--1.0.sql', object => 'SELECT', reason => 'wrong file' } ]);
	is(scalar @$kept,   2, 'allow-list: an entry for another file removes nothing');
	is(scalar @$unused, 1, 'allow-list: and is reported as unused');
	ok(!eval { apply_allow($r->{findings}, [ { code => 'PS001', file => 'x', object => 'y' } ]); 1 },
		'allow-list: an entry without a reason is refused');
}

# ---------------------------------------------------------------------------
# 3. The live catalog.
# ---------------------------------------------------------------------------

$node->init;
$node->start;

# Versions along the chain: the install script's, then each update's target.
my @versions;
for my $f (@order)
{
	if    ($f =~ /^pgmig--(.+?)--(.+)\.sql$/) { push @versions, $2; }
	elsif ($f =~ /^pgmig--(.+)\.sql$/)        { push @versions, $1; }
}
my %counts_at = map { ($versions[$_] => $res->{counts}{ $order[$_] }) } 0 .. $#order;

my $d8_query = q{
SELECT p.oid::regprocedure::text
       || CASE WHEN p.prosecdef THEN ' is SECURITY DEFINER' ELSE '' END
       || CASE WHEN has_function_privilege('public', p.oid, 'EXECUTE') THEN ' is executable by PUBLIC' ELSE '' END
  FROM pg_proc p
 WHERE p.pronamespace = 'pgmig'::regnamespace
   AND (p.prosecdef OR has_function_privilege('public', p.oid, 'EXECUTE'))
 ORDER BY 1};

my $members_query = q{
WITH ext AS (SELECT oid, extowner FROM pg_extension WHERE extname = 'pgmig'),
objs AS (
  SELECT 'pg_proc'::regclass AS classid, p.oid AS objid, p.proowner AS owner
    FROM pg_proc p WHERE p.pronamespace = 'pgmig'::regnamespace
  UNION ALL
  SELECT 'pg_class'::regclass, c.oid, c.relowner
    FROM pg_class c WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid, t.typowner
    FROM pg_type t
   WHERE t.typnamespace = 'pgmig'::regnamespace
     AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
     AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
  UNION ALL
  SELECT 'pg_event_trigger'::regclass, e.oid, e.evtowner
    FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid WHERE p.pronamespace = 'pgmig'::regnamespace)
SELECT pg_describe_object(o.classid, o.objid, 0)
       || CASE WHEN d.objid IS NULL THEN ' is not a member of extension pgmig' ELSE '' END
       || CASE WHEN o.owner <> ext.extowner
               THEN ' is owned by ' || o.owner::regrole::text || ', not by the extension owner ' || ext.extowner::regrole::text
               ELSE '' END
  FROM objs o CROSS JOIN ext
  LEFT JOIN pg_depend d ON d.classid = o.classid AND d.objid = o.objid AND d.objsubid = 0
                       AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
 WHERE d.objid IS NULL OR o.owner <> ext.extowner
 ORDER BY 1};

# What pgmig's members, and the constraints, defaults, indexes, triggers and
# rules on its tables, depend on.  Builtins are pinned (no pg_depend row), so
# a row here is an operator, function, type, collation or operator class
# outside pg_catalog.
my $deps_cte = q{
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pgmig'),
mem AS (SELECT classid, objid FROM pg_depend
         WHERE refclassid = 'pg_extension'::regclass AND refobjid = (SELECT oid FROM ext) AND deptype = 'e'),
rels AS (SELECT objid AS oid FROM mem WHERE classid = 'pg_class'::regclass),
parts AS (
  SELECT classid, objid FROM mem
  UNION SELECT 'pg_constraint'::regclass, c.oid FROM pg_constraint c WHERE c.conrelid IN (SELECT oid FROM rels)
  UNION SELECT 'pg_attrdef'::regclass, a.oid FROM pg_attrdef a WHERE a.adrelid IN (SELECT oid FROM rels)
  UNION SELECT 'pg_trigger'::regclass, t.oid FROM pg_trigger t WHERE t.tgrelid IN (SELECT oid FROM rels)
  UNION SELECT 'pg_class'::regclass, i.indexrelid FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM rels)
  UNION SELECT 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r WHERE r.ev_class IN (SELECT oid FROM rels)),
deps AS (
  SELECT d.*, (pg_identify_object(d.refclassid, d.refobjid, 0)).schema AS refschema
    FROM pg_depend d JOIN parts p ON p.classid = d.classid AND p.objid = d.objid
   WHERE d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass, 'pg_type'::regclass,
                          'pg_collation'::regclass, 'pg_opclass'::regclass, 'pg_opfamily'::regclass))};
my $deps_query = $deps_cte . q{
SELECT pg_describe_object(classid, objid, objsubid) || ' depends on ' || pg_describe_object(refclassid, refobjid, 0)
  FROM deps WHERE refschema IS DISTINCT FROM 'pg_catalog' AND refschema IS DISTINCT FROM 'pgmig'
 ORDER BY 1};
my $parts_query = $deps_cte . q{ SELECT count(*) FROM parts};

my $counts_query = q{
SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgmig'::regnamespace) || ' '
    || (SELECT count(*) FROM pg_class WHERE relnamespace = 'pgmig'::regnamespace AND relkind IN ('r', 'p')) || ' '
    || (SELECT count(*) FROM pg_class WHERE relnamespace = 'pgmig'::regnamespace AND relkind = 'S') || ' '
    || (SELECT count(*) FROM pg_class WHERE relnamespace = 'pgmig'::regnamespace AND relkind IN ('v', 'm')) || ' '
    || (SELECT count(*) FROM pg_type t WHERE t.typnamespace = 'pgmig'::regnamespace
          AND (t.typtype IN ('e', 'd', 'r', 'b')
               OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
          AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid))};

# Every pgmig object with its owner and ACL, to compare installations.
my $inventory_query = q{
SELECT pg_describe_object('pg_proc'::regclass, p.oid, 0) || ' owner=' || p.proowner::regrole || ' acl=' || coalesce(p.proacl::text, '-')
       || ' secdef=' || p.prosecdef || ' config=' || coalesce(p.proconfig::text, '-')
  FROM pg_proc p WHERE p.pronamespace = 'pgmig'::regnamespace
UNION ALL
SELECT pg_describe_object('pg_class'::regclass, c.oid, 0) || ' owner=' || c.relowner::regrole || ' acl=' || coalesce(c.relacl::text, '-')
  FROM pg_class c WHERE c.relnamespace = 'pgmig'::regnamespace
UNION ALL
SELECT 'schema pgmig owner=' || n.nspowner::regrole || ' acl=' || coalesce(n.nspacl::text, '-')
  FROM pg_namespace n WHERE n.nspname = 'pgmig'
UNION ALL
SELECT pg_describe_object('pg_constraint'::regclass, co.oid, 0) || ' ' || pg_get_constraintdef(co.oid)
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid WHERE c.relnamespace = 'pgmig'::regnamespace
ORDER BY 1};

# All the catalog checks on database $db, which is at version $v.
sub check_catalog
{
	my ($db, $v) = @_;
	my $ver = $node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pgmig'");
	is($ver, $v, "$db: pgmig is at version $v");
	my $d8 = $node->safe_psql($db, $d8_query);
	is($d8, '', "$db at $v: no function in schema pgmig is SECURITY DEFINER or executable by PUBLIC (D8)")
	  or diag("expected 0 rows, found:\n$d8");
	my $m = $node->safe_psql($db, $members_query);
	is($m, '', "$db at $v: every function, table, sequence, view, type and event trigger of pgmig is a member owned by the extension owner")
	  or diag("expected 0 rows, found:\n$m");
	my $dep = $node->safe_psql($db, $deps_query);
	is($dep, '', "$db at $v: pgmig's objects depend on nothing outside pg_catalog and pgmig")
	  or diag("expected 0 rows, found:\n$dep");
	cmp_ok($node->safe_psql($db, $parts_query), '>', 0, "$db at $v: the dependency check looked at pgmig's objects");
	my $c = $counts_at{$v};
	if ($c)
	{
		my $want = join(' ', @$c{qw(functions tables sequences views types)});
		is($node->safe_psql($db, $counts_query), $want,
			"$db at $v: functions, tables, sequences, views, types in schema pgmig = what the checker counted ($want)");
	}
	return;
}

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'SET client_min_messages = warning; CREATE EXTENSION pgmig');
check_catalog('fresh', $default);

$node->safe_psql('postgres', 'CREATE DATABASE stepwise');
$node->safe_psql('stepwise', "SET client_min_messages = warning; CREATE EXTENSION pgmig VERSION '$versions[0]'");
check_catalog('stepwise', $versions[0]);
for my $v (@versions[ 1 .. $#versions ])
{
	$node->safe_psql('stepwise', "SET client_min_messages = warning; ALTER EXTENSION pgmig UPDATE TO '$v'");
	check_catalog('stepwise', $v);
}
is($node->safe_psql('stepwise', $inventory_query), $node->safe_psql('fresh', $inventory_query),
	'installed at the default version and updated step by step: the same objects, owners, ACLs, settings and constraints');

# The checks above can fail: a database where someone tampered with pgmig
# (a function added to its schema, EXECUTE granted to PUBLIC, a SECURITY
# DEFINER function, a table given to another role with its sequence, a column
# of a type outside pg_catalog) is reported, each problem once.
{
	$node->safe_psql('postgres', 'CREATE ROLE tamperer NOLOGIN; CREATE DATABASE tampered');
	$node->safe_psql(
		'tampered', q{
SET client_min_messages = warning;
CREATE EXTENSION pgmig;
CREATE DOMAIN public.lint_level AS text;
ALTER TABLE pgmig.policy ADD COLUMN extra public.lint_level;
ALTER TABLE pgmig.ddl_log OWNER TO tamperer;
CREATE FUNCTION pgmig.intruder() RETURNS integer LANGUAGE sql AS 'SELECT 1';
GRANT EXECUTE ON FUNCTION pgmig.mig_heads(text) TO PUBLIC;
ALTER FUNCTION pgmig.mig_status(text) SECURITY DEFINER;
});
	my @d8 = split /\n/, $node->safe_psql('tampered', $d8_query);
	is(scalar @d8, 3, 'tampered: the D8 query reports 3 functions') or diag(join("\n", @d8));
	like(join("\n", @d8), qr/pgmig\.intruder\(\) is executable by PUBLIC/, 'tampered: the added function, executable by PUBLIC');
	like(join("\n", @d8), qr/pgmig\.mig_heads\(text\) is executable by PUBLIC/, 'tampered: mig_heads granted to PUBLIC');
	like(join("\n", @d8), qr/pgmig\.mig_status\(text\) is SECURITY DEFINER/, 'tampered: mig_status made SECURITY DEFINER');
	my @m = split /\n/, $node->safe_psql('tampered', $members_query);
	is(scalar @m, 3, 'tampered: the membership query reports 3 objects') or diag(join("\n", @m));
	like(join("\n", @m), qr/function pgmig\.intruder\(\) is not a member of extension pgmig/, 'tampered: the added function is no member');
	like(join("\n", @m), qr/table pgmig\.ddl_log is owned by tamperer, not by the extension owner/, 'tampered: ddl_log has another owner');
	like(join("\n", @m), qr/sequence pgmig\.ddl_log_log_id_seq is owned by tamperer/, 'tampered: and so has its sequence');
	my @dep = split /\n/, $node->safe_psql('tampered', $deps_query);
	is(scalar @dep, 1, 'tampered: the dependency query reports 1 dependency') or diag(join("\n", @dep));
	like(join("\n", @dep), qr/pgmig\.policy.* depends on type .*lint_level/, 'tampered: policy.extra depends on public.lint_level');
}

# No update path goes down.
{
	my $paths = $node->safe_psql('fresh',
		"SELECT source || ' ' || target || ' ' || path FROM pg_extension_update_paths('pgmig') WHERE path IS NOT NULL ORDER BY 1");
	my @rows = split /\n/, $paths;
	cmp_ok(scalar @rows, '>=', scalar(@versions) - 1, 'pg_extension_update_paths lists the update paths') or diag($paths);
	my @down = grep { my ($s, $t) = split / /; version_cmp($t, $s) <= 0 } @rows;
	ok(!@down, 'pg_extension_update_paths(pgmig): no path leads to a lower or equal version')
	  or diag("downgrade paths:\n" . join("\n", @down));
}

# A non-superuser cannot install pgmig (superuser = true, trusted = false).
{
	$node->safe_psql('postgres', 'CREATE ROLE alice LOGIN; CREATE DATABASE alicedb OWNER alice');
	my ($ret, $out, $err) =
	  $node->psql('alicedb', "\\set VERBOSITY verbose\nCREATE EXTENSION pgmig;", extra_params => [ '-U', 'alice' ]);
	isnt($ret, 0, 'CREATE EXTENSION pgmig as a non-superuser database owner fails');
	like($err, qr/ERROR:\s+42501:/, 'with SQLSTATE 42501') or diag("stderr: $err");
	is($node->safe_psql('alicedb', "SELECT count(*) FROM pg_extension WHERE extname = 'pgmig'"), '0', 'and nothing is installed');
}

# A schema pgmig that exists before CREATE EXTENSION: refused when another
# role owns it (D2, implemented) and when another role may create in it.
{
	$node->safe_psql('postgres', 'CREATE ROLE mallory NOLOGIN; CREATE DATABASE owned_by_other; CREATE DATABASE create_granted');
	$node->safe_psql('owned_by_other', 'CREATE SCHEMA pgmig AUTHORIZATION mallory');
	my ($ret, $out, $err) = $node->psql('owned_by_other', "\\set VERBOSITY verbose\nCREATE EXTENSION pgmig;");
	isnt($ret, 0, 'CREATE EXTENSION refuses a schema pgmig owned by another role');
	like($err, qr/ERROR:\s+42501:/, 'with SQLSTATE 42501') or diag("stderr: $err");

	$node->safe_psql('create_granted', 'CREATE SCHEMA pgmig; GRANT CREATE ON SCHEMA pgmig TO mallory');
	($ret, $out, $err) = $node->psql('create_granted', "\\set VERBOSITY verbose\nCREATE EXTENSION pgmig;");
	my $acl = $node->safe_psql('create_granted', "SELECT coalesce(nspacl::text, '-') FROM pg_namespace WHERE nspname = 'pgmig'");
	isnt($ret, 0, 'CREATE EXTENSION refuses a schema pgmig on which another role has CREATE (D2)')
	  or diag("expected an error; CREATE EXTENSION succeeded and schema pgmig keeps ACL $acl");
}

$node->stop;
done_testing();
