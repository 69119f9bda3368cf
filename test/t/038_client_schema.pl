# 038_client_schema.pl — the schema file, the shadow database, and adoption
# that proves itself (issue 18).
#
#  - `pgmig schema` writes schema.sql beside the folder from what the
#    folder's head builds in a temporary shadow database (then dropped);
#    the file loads with psql into an empty database, which then lists the
#    same schema; `schema --check` and `verify` pass; after a migration
#    changes the schema without the file, both exit 3 with the diff, and
#    `pgmig schema` makes them pass again.  A migration that fails in the
#    shadow is a verify finding; a schema.sql pgmig did not write is never
#    overwritten.
#  - --shadow-dbname: an empty database is used and left empty; one that
#    holds objects, or the target itself, is refused.
#  - baseline refuses a database that lacks a table the revisions create
#    (exit 3, every difference listed, nothing stamped), and accepts it once
#    the table is named with --accept; `drift --against-migrations` then
#    reports it; `stamp --check-schema` refuses and accepts the same way.
#  - a LATIN1 database is checked in a LATIN1 shadow (a non-ASCII name
#    round-trips), an ICU one in a shadow with its ICU locale; a role that may not create databases gets the hint.
#  - a temporary shadow left by a killed run is dropped by the next run
#    (its name carries the backend pid of the run's session).
#  - examples/shop/schema.sql is current; before its merge, the example's
#    two heads build one file with both branches.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('schemafile');
$node->init;
$node->append_conf('postgresql.conf', "log_statement = 'all'");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tmp/proj/migrations";
my $file = "$tmp/proj/schema.sql";
my ($rc, $out, $err, $doc);

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or return undef;
	local $/;
	my $t = <$fh>;
	close($fh);
	return $t;
}

sub shadows
{
	return $node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname LIKE 'pgmig\_shadow\_%'});
}

write_migration($dir, 'r1', [], "CREATE SCHEMA app;\nCREATE TYPE app.mood AS ENUM ('sad', 'ok');\n"
	. "CREATE TABLE app.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, "
	. "mood app.mood DEFAULT 'ok');\nCOMMENT ON TABLE app.users IS 'people';",
	"DROP SCHEMA app CASCADE;");
write_migration($dir, 'r2', ['r1'], "CREATE COLLATION public.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n"
	. "CREATE FUNCTION app.n_users() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM app.users';\n"
	. "CREATE TABLE app.orders (id serial PRIMARY KEY, user_id bigint REFERENCES app.users (id), total numeric CHECK (total >= 0));\n"
	. "CREATE VIEW app.big_orders AS SELECT * FROM app.orders WHERE total > 100;",
	"DROP VIEW app.big_orders; DROP TABLE app.orders; DROP FUNCTION app.n_users(); DROP COLLATION public.nocase;");
write_migration($dir, 'r3', ['r2'], "CREATE INDEX CONCURRENTLY orders_user_idx ON app.orders (user_id);",
	"DROP INDEX CONCURRENTLY app.orders_user_idx;");
# (r3 runs outside a transaction: the server sees CREATE INDEX CONCURRENTLY)

($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'init');
is($rc, 0, 'init') or diag $err;

# --- the schema file ---------------------------------------------------------
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'schema');
is($rc, 0, 'schema writes the file') or diag "$out\n$err";
like($out, qr/schema: wrote \Q$file\E \(\d+ objects, at r3\)/, '... beside the folder, at the head') or diag $out;
is(shadows(), '0', 'the temporary shadow database is dropped');
my $text = slurp($file);
like($text, qr/^-- pgmig schema file/, 'the file says what it is');
like($text, qr/\n-- table app\.users\nCREATE TABLE app\.users \(\n    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,/,
	'one block per object, in PostgreSQL\'s words');
like($text, qr/\n-- index app\.orders_user_idx\nCREATE INDEX orders_user_idx ON app\.orders USING btree \(user_id\);/,
	'the non-transactional revision\'s index is there');
unlike($text, qr/OWNER|oid|pgmig\./i, 'no owners, OIDs or pgmig catalog');
ok(index($text, '-- table app.users') < index($text, '-- foreign key app.orders.orders_user_id_fkey')
	  && index($text, '-- table app.orders') < index($text, '-- view app.big_orders'),
	'dependencies come first');
is(slurp($file), $text, 'written once');

($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'schema');
is($rc, 0, 'schema again');
like($out, qr/is up to date/, '... leaves an up-to-date file alone') or diag $out;

# the file loads into an empty database, which then lists the same schema
$node->safe_psql('postgres', 'CREATE DATABASE loaded');
$node->safe_psql('loaded', 'CREATE EXTENSION pgmig');
my ($lrc, $lout, $lerr) = $node->psql('loaded', undef, extra_params => [ '-v', 'ON_ERROR_STOP=1', '-f', $file ]);
is($lrc, 0, 'psql loads the schema file into an empty database') or diag $lerr;
my $q = q{SELECT string_agg(kind || ' ' || identity || E'\n' || statement, E'\n' ORDER BY o) FROM pgmig.mig_schema() WITH ORDINALITY AS s(kind, identity, statement, o)};
$node->safe_psql('postgres', 'CREATE DATABASE built');
pgmig($node, 'built', '--dir', $dir, 'init');
($rc, $out, $err) = pgmig($node, 'built', '--dir', $dir, 'up');
is($rc, 0, 'the migrations applied to another database') or diag $err;
is($node->safe_psql('loaded', $q), $node->safe_psql('built', $q), 'the loaded database lists what the migrations build');

($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'schema', '--check');
is($rc, 0, 'schema --check passes') or diag "$out\n$err";
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'up');
is($rc, 0, 'up') or diag $err;
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'verify');
is($rc, 0, 'verify passes with the schema file') or diag "$out\n$err";

# a migration changes the schema; the file is not rewritten
write_migration($dir, 'r4', ['r3'], 'ALTER TABLE app.users ADD COLUMN note text;', 'ALTER TABLE app.users DROP COLUMN note;');
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'verify');
is($rc, 3, 'verify: exit 3 when the migrations build another schema') or diag "$out\n$err";
like($out, qr/\Q$file\E: the migrations build a different table app\.users/, '... names the object') or diag $out;
like($out, qr/^    \+    note text$/m, '... with the diff') or diag $out;
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '--json', 'verify');
$doc = decode_json_ok($out);
my ($f) = grep { $_->{kind} eq 'schema' } @{ $doc->{findings} };
ok($f && grep({ $_ eq '+    note text' } @{ $f->{diff} }), 'verify --json: the finding carries the diff');
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'schema', '--check');
is($rc, 3, 'schema --check: exit 3');
is(slurp($file), $text, '... and writes nothing');
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'schema');
is($rc, 0, 'schema rewrites the file');
like(slurp($file), qr/    mood app\.mood DEFAULT 'ok'::app\.mood,\n    note text\n\);/, '... with the column');
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'verify');
is($rc, 0, 'verify passes again') or diag "$out\n$err";

# a hand edit that changes no object's statements is still found
{
	my $t = slurp($file);
	open(my $fh, '>', $file) or die;
	print $fh $t . "\n\n";
	close($fh);
}
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'verify');
is($rc, 3, 'a hand-edited file: exit 3');
like($out, qr/is not as `pgmig schema` writes it/, '... said') or diag $out;
pgmig($node, 'postgres', '--dir', $dir, 'schema');

# a migration that fails in the shadow is a finding
write_migration($dir, 'r5', ['r4'], 'ALTER TABLE app.nope ADD COLUMN x int;', undef);
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'verify');
is($rc, 3, 'a migration that does not build: exit 3') or diag "$out\n$err";
like($out, qr/\Q$file\E: the migrations do not build: \Q$dir\E\/r5\.sql:\d+: in the shadow database \(temporary database pgmig_shadow_[0-9]+_[0-9a-f]+\): .*app\.nope/,
	'... with the file, line and error') or diag $out;
is(shadows(), '0', '... and the shadow is dropped');
unlink "$dir/r5.sql";

# a schema.sql pgmig did not write
my $other = "$tmp/other";
mkdir $other;
open(my $dfh, '>', "$other/schema.sql") or die;
print $dfh "-- dbmate's schema dump\nCREATE TABLE x ();\n";
close($dfh);
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', "$other/migrations", '--schema-file', "$other/schema.sql", 'schema');
is($rc, 1, 'a schema.sql pgmig did not write is not overwritten');
like($err, qr/exists and was not written by pgmig; nothing was written/, '... said') or diag $err;
is(slurp("$other/schema.sql"), "-- dbmate's schema dump\nCREATE TABLE x ();\n", '... and kept');

# behind a pooler: the temporary shadow goes through --direct-dbname (here the
# target itself is unreachable, and schema --check needs nothing else of it)
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '-d', 'host=/nonexistent dbname=postgres',
	'--direct-dbname', 'dbname=postgres', 'schema', '--check');
is($rc, 0, 'the temporary shadow is made through --direct-dbname') or diag "$out\n$err";

# --- a named shadow database --------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE shadow1');
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '--shadow-dbname', 'dbname=shadow1', 'schema', '--check');
is($rc, 0, '--shadow-dbname: an empty database is used') or diag "$out\n$err";
like($err, qr/building the schema in the shadow database \(--shadow-dbname\)/, '... said');
is($node->safe_psql('shadow1',
		q{SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema', 'pg_toast') AND nspname !~ '^pg_'})
	  . '/' . $node->safe_psql('shadow1', q{SELECT count(*) FROM pg_extension})
	  . '/' . $node->safe_psql('shadow1', q{SELECT count(*) FROM pg_collation WHERE collnamespace = 'public'::regnamespace}),
	'0/1/0', '... and left empty (its collation in public too)');
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '--shadow-dbname', 'dbname=shadow1', 'schema', '--check');
is($rc, 0, '... again');
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '--shadow-dbname', 'dbname=loaded', 'schema', '--check');
is($rc, 1, 'a shadow database that holds objects is refused');
like($err, qr/is not empty: it holds collation nocase, schema app/, '... naming them') or diag $err;
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '--shadow-dbname', 'dbname=postgres', 'schema', '--check');
is($rc, 2, 'the target as its own shadow: exit 2');
like($err, qr/--shadow-dbname names the target database/, '... said') or diag $err;

# --- baseline, drift --against-migrations, stamp --check-schema -------------------
$node->safe_psql('postgres', 'CREATE DATABASE adopt');
$node->safe_psql('adopt', 'CREATE EXTENSION pgmig');
{
	# the application's schema, built by hand without the orders table
	my $t = slurp($file);
	my @keep = grep { !/app\.orders|big_orders/ } split(/\n\n/, $t);
	my ($arc, $aout, $aerr) = $node->psql('adopt', join("\n\n", @keep), on_error_stop => 1);
	is($arc, 0, 'an existing database, without the orders table') or diag $aerr;
}
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'baseline', 'r4');
is($rc, 3, 'baseline refuses a database that lacks a table: exit 3') or diag "$out\n$err";
like($out, qr/^missing table app\.orders$/m, '... lists the missing table');
like($out, qr/^missing view app\.big_orders$/m, '... and its view');
like($err, qr/--accept 'table app\.orders'/, '... and how to accept it') or diag $err;
is($node->safe_psql('adopt', 'SELECT count(*) FROM pgmig.applied') . '/'
	  . $node->safe_psql('adopt', 'SELECT count(*) FROM pgmig.revision'), '0/0', '... and writes nothing');
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'baseline', 'r4', '--accept', 'schema app');
is($rc, 3, 'accepting a schema both sides have covers nothing in it');
like($err, qr/note: --accept schema app names no difference/, '... and says so') or diag $err;
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, '--json', 'baseline', 'r4', '--accept', 'table app.orders');
is($rc, 3, 'accepting the table alone still refuses the view');
$doc = decode_json_ok($out);
is(join(' ', map { "$_->{change} $_->{kind} $_->{identity}" } @{ $doc->{differences} }), 'missing view app.big_orders',
	'--json: the difference left') or diag $out;
ok(scalar(@{ $doc->{accepted} }) >= 5, '... and those accepted (the table, its sequence, keys and index)') or diag $out;
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'baseline', 'r4', '--accept', 'table app.orders',
	'--accept', 'view app.big_orders');
is($rc, 0, 'baseline with the differences named') or diag "$out\n$err";
like($err, qr/note: accepted difference: missing table app\.orders/, '... notes what it accepted') or diag $err;
is($node->safe_psql('adopt', 'SELECT count(*) FROM pgmig.applied'), '4', '... and stamps');
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'drift', '--against-migrations');
is($rc, 3, 'drift --against-migrations: exit 3') or diag "$out\n$err";
like($out, qr/^missing table app\.orders$/m, '... names the table the migrations create') or diag $out;
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'drift', '--against-migrations');
is($rc, 0, 'drift --against-migrations on a database built by the migrations: none') or diag "$out\n$err";
like($out, qr/drift: none \(the schema is what the migrations build at r3\)/, '... said (at its applied head)');

($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'stamp', '--check-schema', 'r4');
is($rc, 3, 'stamp --check-schema refuses too');

# another project in the same database: its objects are extra, and said why
my $odir = "$tmp/other_project";
write_migration($odir, 'o1', [], 'CREATE SCHEMA billing; CREATE TABLE billing.invoice (id int);', 'DROP SCHEMA billing CASCADE;');
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $odir, '--project', 'billing', 'up');
is($rc, 0, 'a second project in the adopted database') or diag $err;
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'drift', '--against-migrations');
like($out, qr/^extra schema billing$/m, 'its schema is extra to the first project\'s migrations') or diag $out;
like($err, qr/note: this database also holds the pgmig project billing, whose objects the migrations of default do not build/,
	'... and the note says whose it is') or diag $err;
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'stamp', '--check-schema', '--accept', 'table app.orders',
	'--accept', 'app.big_orders', 'r4');
is($rc, 3, 'stamp --check-schema: the other project\'s schema is a difference too') or diag "$out\n$err";
like($err, qr/also holds the pgmig project billing/, '... the error says whose') or diag $err;
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'stamp', '--check-schema', '--accept', 'table app.orders',
	'--accept', 'app.big_orders', '--accept', 'schema billing', 'r4');
is($rc, 0, '... and accepts by name (kind optional)') or diag "$out\n$err";
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $dir, 'stamp', '--check-schema', '-1');
is($rc, 2, 'stamp --check-schema with a relative target: exit 2');
is(shadows(), '0', 'no shadow database is left behind');

# --- a LATIN1 database ----------------------------------------------------------
$node->safe_psql('postgres', q{CREATE DATABASE latin TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'});
my $ldir = "$tmp/latin/migrations";
write_migration($ldir, 'l1', [], qq{CREATE TABLE "caf\x{e9}" (na\x{ef}ve text DEFAULT 'cr\x{e8}me');}, undef);
{
	# the file is UTF-8
	my $t = slurp("$ldir/l1.sql");
	utf8::encode($t);
	open(my $fh, '>', "$ldir/l1.sql") or die;
	print $fh $t;
	close($fh);
}
pgmig($node, 'latin', '--dir', $ldir, 'init');
($rc, $out, $err) = pgmig($node, 'latin', '--dir', $ldir, 'schema');
is($rc, 0, 'schema from a LATIN1 database') or diag "$out\n$err";
my $lt = slurp("$tmp/latin/schema.sql");
like($lt, qr/CREATE TABLE public\."caf\xc3\xa9" \(\n    "na\xc3\xafve" text DEFAULT 'cr\xc3\xa8me'::text\n\);/,
	'... in UTF-8, the names intact') or diag $lt;
($rc, $out, $err) = pgmig($node, 'latin', '--dir', $ldir, 'up');
($rc, $out, $err) = pgmig($node, 'latin', '--dir', $ldir, 'drift', '--against-migrations');
is($rc, 0, '... and a LATIN1 shadow builds the same') or diag "$out\n$err";

# an ICU database is checked in an ICU shadow
$node->safe_psql('postgres', q{CREATE DATABASE icu TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' LOCALE 'C'});
pgmig($node, 'icu', '--dir', $ldir, 'init');
my $log_at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, 'icu', '--dir', $ldir, 'schema', '--check');
is($rc, 0, 'schema --check from an ICU database') or diag "$out\n$err";
my $log = slurp($node->logfile);
like(substr($log, $log_at), qr/CREATE DATABASE "?pgmig_shadow_[0-9]+_[0-9a-f]+"? TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'de-DE'/,
	'... whose shadow has the same ICU locale') or diag substr($log, $log_at, 2000);

# a shadow abandoned by a killed run is dropped by the next one; one whose
# run still has its session is not
my $live_pid = $node->safe_psql('postgres', q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'});
my $gone_pid = $node->safe_psql('postgres', q{SELECT max(pid) + 100000 FROM pg_stat_activity});
$node->safe_psql('postgres', "CREATE DATABASE pgmig_shadow_${gone_pid}_0abc");
$node->safe_psql('postgres', "CREATE DATABASE pgmig_shadow_${live_pid}_0def");
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'schema', '--check');
is($rc, 0, 'a check with an abandoned shadow around') or diag "$out\n$err";
like($err, qr/note: dropped the temporary shadow database pgmig_shadow_${gone_pid}_0abc of a run that is gone/,
	'... drops it, and says so') or diag $err;
is($node->safe_psql('postgres', q{SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'pgmig\_shadow\_%'}),
	"pgmig_shadow_${live_pid}_0def", '... and keeps the one whose session lives');
$node->safe_psql('postgres', "DROP DATABASE pgmig_shadow_${live_pid}_0def");

# --- a role that may not create databases --------------------------------------
$node->safe_psql('postgres', 'CREATE ROLE plain LOGIN; GRANT pgmig_reader TO plain');
($rc, $out, $err) = pgmig($node, 'postgres', '-d', 'dbname=postgres user=plain', '--dir', $dir, 'schema', '--check');
is($rc, 1, 'no CREATEDB: exit 1');
like($err, qr/could not create a temporary shadow database: permission denied to create database/, '... said') or diag $err;
like($err, qr/give --shadow-dbname an empty database/, '... with the way out') or diag $err;
$node->safe_psql('postgres', 'GRANT pgmig_admin TO plain');
($rc, $out, $err) = pgmig($node, 'postgres', '-d', 'dbname=postgres user=plain', '--dir', $dir, 'verify');
is($rc, 1, 'verify without a shadow: an error (exit 1), not a finding about the migrations') or diag "$out\n$err";
like($err, qr/could not create a temporary shadow database/, '... said') or diag $err;

# --- the example project's schema file is current ---------------------------------
my $shop = ($ENV{PGMIG_SOURCE} // '.') . '/examples/shop/migrations';
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $shop, '--project', 'shop', 'schema', '--check');
is($rc, 0, 'examples/shop/schema.sql is what its migrations build') or diag "$out\n$err";

# before the merge, the example has two heads: the file is what both build
my $two = "$tmp/two/migrations";
mkdir "$tmp/two";
mkdir $two;
for my $f (glob("$shop/*.sql"))
{
	next if $f =~ m{/00(10|11)_[^/]*$};
	my $t = slurp($f);
	open(my $tf, '>', "$two/" . (split m{/}, $f)[-1]) or die;
	print $tf $t;
	close($tf);
}
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $two, '--project', 'two', 'schema');
is($rc, 0, 'schema of a folder with two heads') or diag "$out\n$err";
like($out, qr/at 0006_backfill_totals, 0009_category_slug\)/, '... is what both heads build') or diag $out;
my $both = slurp("$tmp/two/schema.sql");
ok(index($both, "\n-- table public.invoices\n") >= 0 && index($both, "\n-- table public.categories\n") >= 0,
	'... with both branches\' tables (billing\'s invoices, catalog\'s categories)');

$node->stop;
done_testing();
