# 037_client_legacy_sql.pl — adopting a plain folder of SQL files with its
# home-made history table (issue 18; the "legacy sql_migrations table" of a
# real deploy guide): `import --from sql` converts the folder, in name order;
# `import-history --from sql --table T --column C` stamps the files the table
# records (named with or without ".sql"); `up` then applies only the new one.
# Refused: no --table/--column (exit 2), an unknown column (exit 2), a row
# naming a file the folder lacks (exit 1, nothing stamped), and with
# --check-schema a database whose schema is not what the recorded files
# build (exit 3; the history table itself is accepted).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('legacy');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $db = 'postgres';
my $legacy = "$tmp/sql";
my $dir = "$tmp/m";
my ($rc, $out, $err, $doc);

mkdir $legacy;
my %files = (
	'001_init.sql'   => "CREATE TABLE lg_a (id int);\n",
	'002_users.sql'  => "CREATE TABLE lg_users (id int, name text);\nINSERT INTO lg_users VALUES (1, 'root');\n",
	'003_orders.sql' => "CREATE TABLE lg_orders (id int, user_id int);\n",
	'README.md'      => "run every file with psql, in name order\n");
for my $f (sort keys %files)
{
	open(my $fh, '>', "$legacy/$f") or die;
	print $fh $files{$f};
	close($fh);
}
# The database as the old script left it: the first two files run, and
# recorded in its own table (one row with ".sql", one without).
$node->safe_psql($db, $files{'001_init.sql'} . $files{'002_users.sql'});
$node->safe_psql($db,
	"CREATE TABLE sql_migrations (filename text PRIMARY KEY, applied_at timestamptz DEFAULT now());
	 INSERT INTO sql_migrations (filename) VALUES ('001_init.sql'), ('002_users');");

($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'import', '--from', 'sql', $legacy);
is($rc, 0, 'import --from sql') or diag "$out\n$err";
$doc = decode_json_ok($out);
is(join(' ', map { $_->{revision} } @{ $doc->{ids} }), '001_init 002_users 003_orders', 'three revisions, in name order');
like($err, qr/note: README\.md: not read \(a plain SQL folder is the \*\.sql files of the folder itself\); ignored/, 'README.md is named in a note') or diag $err;

($rc, $out, $err) = pgmig($node, $db, 'init');
is($rc, 0, 'init') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'import-history', '--from', 'sql', $legacy);
is($rc, 2, 'import-history --from sql without --table and --column: exit 2');
like($err, qr/needs --table and --column/, '... says what it needs') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'import-history', '--from', 'sql', $legacy,
	'--table', 'sql_migrations', '--column', 'nope');
is($rc, 2, 'an unknown column: exit 2');
like($err, qr/sql_migrations has no column nope/, '... named') or diag $err;

# A row naming a file the folder lacks stamps nothing.
$node->safe_psql($db, "INSERT INTO sql_migrations (filename) VALUES ('000_gone.sql')");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'import-history', '--from', 'sql', $legacy,
	'--table', 'sql_migrations', '--column', 'filename');
is($rc, 1, 'a recorded file the folder lacks: exit 1');
like($err, qr/records 1 migration that \Q$legacy\E does not have: 000_gone\.sql/, '... named') or diag $err;
is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.applied'), '0', '... nothing stamped');
$node->safe_psql($db, "DELETE FROM sql_migrations WHERE filename = '000_gone.sql'");

# --check-schema: the live schema against what the two recorded files
# build in a shadow database; the tool's own table is no difference.
$node->safe_psql($db, 'ALTER TABLE lg_users RENAME TO lg_people');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'import-history', '--from', 'sql', $legacy,
	'--table', 'sql_migrations', '--column', 'filename', '--check-schema');
is($rc, 3, 'import-history --check-schema: a renamed table is refused (exit 3)') or diag "$out\n$err";
like($out, qr/^missing table public\.lg_users$/m, '... the table the files create is missing') or diag $out;
like($out, qr/^extra table public\.lg_people$/m, '... the renamed one is extra');
unlike($out, qr/sql_migrations/, '... the tool\'s table is not a difference');
is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.applied'), '0', '... nothing stamped');
$node->safe_psql($db, 'ALTER TABLE lg_people RENAME TO lg_users');

($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'import-history', '--from', 'sql', $legacy,
	'--table', 'sql_migrations', '--column', 'filename', '--check-schema');
is($rc, 0, 'import-history --from sql --table sql_migrations --column filename --check-schema') or diag "$out\n$err";
$doc = decode_json_ok($out);
is(join(' ', sort map { "$_->{change} $_->{kind} $_->{identity}" } @{ $doc->{accepted} }),
	'extra constraint public.sql_migrations.sql_migrations_pkey extra table public.sql_migrations',
	'... the tool\'s table and its key were accepted') or diag $out;
is($node->safe_psql($db, q{SELECT string_agg(revision, ' ' ORDER BY revision) FROM pgmig.applied}),
	'001_init 002_users', 'the two recorded files are stamped');

($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'up');
is($rc, 0, 'up') or diag "$out\n$err";
$doc = decode_json_ok($out);
is(join(' ', map { $_->{revision} } @{ $doc->{revisions} }), '003_orders', 'applies only the new file');
is($node->safe_psql($db, q{SELECT count(*) FROM lg_users}), '1', 'the old data is untouched');
is($node->safe_psql($db, q{SELECT to_regclass('lg_orders') IS NOT NULL}), 't', 'the new table exists');

done_testing();
