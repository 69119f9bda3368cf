# 010_client_workflow.pl — the pgmig client end to end against a throwaway
# server: new → up → heads → status → down → stamp → verify; two branches →
# verify exits 3 → merge → up; a failing revision leaves the last good one
# applied (one transaction per revision) and names file, line and SQLSTATE;
# --atomic is all or nothing; --json output parsed; exit codes 0/1/2/3; a
# file edited after it was applied is caught by push and by verify; push
# sends nothing when the server holds the folder already and uploads again
# after any edit; the example project (examples/shop) goes down and up to the
# same schema.
use strict;
use warnings;

use File::Copy;
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('workflow');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tmp/m";
my $db = 'postgres';

# Runs pgmig with --dir $dir; returns (rc, stdout, stderr).
sub run { return pgmig($node, $db, '--dir', $dir, @_); }

# Replaces the placeholder bodies of a file written by `pgmig new`.
sub fill
{
	my ($file, $up, $down) = @_;
	my $text = slurp_file($file);
	$text =~ s/^-- write the up migration here$/$up/m or die "no up placeholder in $file";
	$text =~ s/^-- write the down migration here.*$/$down/m or die "no down placeholder in $file";
	open(my $fh, '>', $file) or die;
	print $fh $text;
	close($fh);
}

# The file `pgmig new` reported (stdout "created <path>").
sub created
{
	my ($out) = @_;
	return $1 if $out =~ /created (\S+\.sql)/;
	die "no file in: $out";
}

my ($rc, $out, $err);

# usage errors exit 2
($rc, $out, $err) = run('no-such-verb');
is($rc, 2, 'unknown verb: exit 2');
($rc, $out, $err) = run('up', '--wait', 'soon');
is($rc, 2, 'bad duration: exit 2');
($rc, $out, $err) = pgmig($node, $db, 'up', '--help');
is($rc, 0, 'up --help exits 0');
like($out, qr/Example/i, 'up --help shows an example');

# init twice
($rc, $out, $err) = run('init');
is($rc, 0, 'init creates the extension') or diag($err);
($rc, $out, $err) = run('init');
is($rc, 0, 'init again is fine');
like($out, qr/already/, 'init says it was already installed');

# new → up
($rc, $out, $err) = run('new', 'create widgets');
is($rc, 0, 'new writes a file') or diag($err);
my $f1 = created($out);
fill($f1, "CREATE TABLE widgets (id int PRIMARY KEY);", "DROP TABLE widgets;");
($rc, $out, $err) = run('new', 'add color');
is($rc, 0, 'second new') or diag($err);
my $f2 = created($out);
my ($id1) = $f1 =~ m{([^/]+)\.sql$};
my ($id2) = $f2 =~ m{([^/]+)\.sql$};
like(slurp_file($f2), qr/^-- pgmig:parents\s+\Q$id1\E$/m, 'the new file names the head as parent');
cmp_ok($id1, 'lt', $id2, 'ids sort by creation');
fill($f2, "ALTER TABLE widgets ADD COLUMN color text;", "ALTER TABLE widgets DROP COLUMN color;");

($rc, $out, $err) = run('up');
is($rc, 0, 'up applies both') or diag("$out\n$err");
like($out, qr/applied\s+\Q$id1\E.*\n.*applied\s+\Q$id2\E/, 'up prints each revision in order');
like($out, qr/2 revisions applied/, 'up prints a summary');
is($node->safe_psql($db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'widgets'"), '2',
	'widgets has id and color');

($rc, $out, $err) = run('--json', 'heads');
my $heads = decode_json_ok($out);
ok($heads && $heads->{heads}[0]{revision} eq $id2 && $heads->{heads}[0]{applied}, 'heads --json: the second, applied');
($rc, $out, $err) = run('--json', 'status');
my $status = decode_json_ok($out);
ok($status && $status->{applied} == 2 && $status->{pending} == 0 && $status->{current}[0] eq $id2,
	'status --json: 2 applied, 0 pending');
($rc, $out, $err) = run('current');
like($out, qr/\Q$id2\E/, 'current names the second');

# down, stamp
($rc, $out, $err) = run('down', $id1);
is($rc, 0, 'down to the first') or diag("$out\n$err");
is($node->safe_psql($db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'widgets'"), '1',
	'color is gone');
($rc, $out, $err) = run('stamp', $id2);
is($rc, 0, 'stamp to the second');
is($node->safe_psql($db, "SELECT how FROM pgmig.applied WHERE revision = '$id2'"), 'stamp', 'recorded as stamped');
($rc, $out, $err) = run('stamp', $id1);
($rc, $out, $err) = run('up');
is($rc, 0, 'up again') or diag("$out\n$err");

# verify: clean, then an applied file edited → push refuses, verify exits 3
($rc, $out, $err) = run('verify');
is($rc, 0, 'verify: clean') or diag("$out\n$err");
my $orig = slurp_file($f2);
open(my $fh, '>>', $f2) or die;
print $fh "\n";
close($fh);
$orig =~ s/ADD COLUMN color text;/ADD COLUMN color varchar;/;
open($fh, '>', $f2) or die;
print $fh $orig;
close($fh);
($rc, $out, $err) = run('push');
is($rc, 1, 'push of an edited applied revision: exit 1');
like($err, qr/PM021/, 'the error is PM021');
($rc, $out, $err) = run('--json', 'verify');
is($rc, 3, 'verify: edited applied revision exits 3');
my $v = decode_json_ok($out);
ok($v && !$v->{ok} && grep({ ($_->{revision} // '') eq $id2 } @{ $v->{findings} }), 'the finding names the revision');
$orig =~ s/ADD COLUMN color varchar;/ADD COLUMN color text;/;
open($fh, '>', $f2) or die;
print $fh $orig;
close($fh);

# two branches → verify 3 → merge → up
write_migration($dir, "${id2}_a", [$id2], "CREATE TABLE branch_a (id int);", "DROP TABLE branch_a;");
write_migration($dir, "${id2}_b", [$id2], "CREATE TABLE branch_b (id int);", "DROP TABLE branch_b;");
($rc, $out, $err) = run('verify');
is($rc, 3, 'two heads: verify exits 3');
like("$out$err", qr/head/i, 'verify says why');
($rc, $out, $err) = run('up');
is($rc, 1, 'up with two heads: exit 1');
like($err, qr/merge/, 'the hint says to merge');
($rc, $out, $err) = run('merge');
is($rc, 0, 'merge writes a merge revision') or diag("$out\n$err");
my $fm = created($out);
like(slurp_file($fm), qr/^-- pgmig:parents\s+\Q${id2}_a ${id2}_b\E$/m, 'its parents are both heads');
($rc, $out, $err) = run('up');
is($rc, 0, 'up after the merge') or diag("$out\n$err");
($rc, $out, $err) = run('verify');
is($rc, 0, 'verify: clean again') or diag("$out\n$err");

# graph
($rc, $out, $err) = run('graph');
like($out, qr/^\|\\/m, 'graph draws the branch');
($rc, $out, $err) = run('graph', '--format', 'dot');
like($out, qr/digraph/, 'graph --format dot');

# plan shows statements, transaction mode and locks
write_migration($dir, 'z1_fail', [ $fm =~ m{([^/]+)\.sql$} ],
	"INSERT INTO widgets VALUES (1) ON CONFLICT DO NOTHING;\nALTER TABLE widgets ADD COLUMN size int;", "ALTER TABLE widgets DROP COLUMN size;");
write_migration($dir, 'z2_fail', ['z1_fail'],
	"CREATE TABLE z2 (id int);\n\nINSERT INTO widgets VALUES (1);", "DROP TABLE z2;");
write_migration($dir, 'z3_fail', ['z2_fail'], "CREATE TABLE z3 (id int);", "DROP TABLE z3;");
($rc, $out, $err) = run('--json', 'plan');
my $plan = decode_json_ok($out);
ok($plan && ref $plan->{statements} eq 'ARRAY' && $plan->{statements}[0]{file_line}, 'plan --json lists statements with file lines') or diag($out);
($rc, $out, $err) = run('plan');
like($out, qr/AccessExclusiveLock on widgets/, 'plan names the lock');

# a failure: one transaction per revision keeps the last good one; file, line, SQLSTATE reported
($rc, $out, $err) = run('up');
is($rc, 1, 'up with a failing revision: exit 1');
like($err, qr{z2_fail\.sql:\d+}, 'the error names the file and line');
like($err, qr/23505/, 'and the SQLSTATE');
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = 'z1_fail'"), '1',
	'the revision before the failing one stays applied');
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision IN ('z2_fail', 'z3_fail')") . '|'
	. $node->safe_psql($db, "SELECT to_regclass('z2') IS NULL"), '0|t', 'nothing of the failing revision remains');

# --atomic: all or nothing
($rc, $out, $err) = run('down', $fm =~ m{([^/]+)\.sql$});
is($rc, 0, 'down before the failing ones') or diag("$out\n$err");
($rc, $out, $err) = run('up', '--atomic');
is($rc, 1, '--atomic with a failing revision: exit 1');
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision LIKE 'z%'"), '0',
	'--atomic: nothing applied');

# the example project: up, down to 0003_orders, up again, same schema
my $shop = ($ENV{PGMIG_SOURCE} // '.') . '/examples/shop/migrations';
$node->safe_psql('postgres', 'CREATE DATABASE shop');
($rc, $out, $err) = pgmig($node, 'shop', 'init');
($rc, $out, $err) = pgmig($node, 'shop', '--dir', $shop, 'up');
is($rc, 0, 'example: up') or diag("$out\n$err");
my $fingerprint = q{SELECT md5(string_agg(format('%s.%s %s', table_name, column_name, data_type), ','
	ORDER BY table_name, column_name)) || (SELECT count(*) FROM pg_type WHERE typname = 'payment_status')
	|| (SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_status_idx')
	FROM information_schema.columns WHERE table_schema = 'public'};
my $before = $node->safe_psql('shop', $fingerprint);
($rc, $out, $err) = pgmig($node, 'shop', '--dir', $shop, 'down', '0003_orders');
is($rc, 0, 'example: down to 0003_orders') or diag("$out\n$err");
is($node->safe_psql('shop', "SELECT count(*) FROM pg_type WHERE typname = 'payment_status'"), '0',
	'example: the enum type went with its revision');
($rc, $out, $err) = pgmig($node, 'shop', '--dir', $shop, 'up');
is($rc, 0, 'example: up again') or diag("$out\n$err");
is($node->safe_psql('shop', $fingerprint), $before, 'example: the same schema after down and up');

# push sends nothing when the server already holds the folder (one digest
# query instead of every body), and uploads again when a file changes, even
# when only its header does
my $sync = "$tmp/sync";
make_path($sync);
copy($_, $sync) or die "copy $_: $!" for glob("$shop/*.sql");
$node->safe_psql('postgres', "ALTER DATABASE shop SET log_statement = 'all'");
my $log_at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, 'shop', '--dir', $sync, '--json', 'up');
is($rc, 0, 'sync: up with nothing pending') or diag($err);
like($out, qr/"uploaded":\s*false/, 'sync: the folder is in sync, nothing uploaded');
unlike(slurp_file($node->logfile, $log_at), qr/mig_upload_batch/, 'sync: no upload was sent');
write_migration($sync, '0012_sync', ['0011_orders_status_idx'], 'CREATE TABLE sync_t (id int);', 'DROP TABLE sync_t;',
	message => 'sync check');
($rc, $out, $err) = pgmig($node, 'shop', '--dir', $sync, '--json', 'push');
like($out, qr/"uploaded":\s*true/, 'sync: a new file is uploaded');
($rc, $out, $err) = pgmig($node, 'shop', '--dir', $sync, '--json', 'push');
like($out, qr/"uploaded":\s*false/, 'sync: and is in sync afterwards');
write_migration($sync, '0012_sync', ['0011_orders_status_idx'], 'CREATE TABLE sync_t (id int);', 'DROP TABLE sync_t;',
	message => 'sync check, reworded');
$log_at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, 'shop', '--dir', $sync, '--json', 'up');
is($rc, 0, 'sync: up after a header-only edit') or diag($err);
like($out, qr/"uploaded":\s*true/, 'sync: a header-only edit is uploaded');
like($out, qr/"action":\s*"changed"/, 'sync: and replaces the revision');
like(slurp_file($node->logfile, $log_at), qr/mig_upload_batch/, 'sync: through mig_upload_batch');
is($node->safe_psql('shop', "SELECT message FROM pgmig.mig_revisions() WHERE revision = '0012_sync'"),
	'sync check, reworded', 'sync: the server has the new message');
$node->safe_psql('postgres', "ALTER DATABASE shop RESET log_statement");

# the same against a server whose pgmig is older than 0.4 (no mig_sync): the
# client computes the digest from mig_revisions; after ALTER EXTENSION UPDATE
# the project has no summary row yet, so the first push uploads (and writes
# it) and the next one finds the folder in sync through mig_sync
$node->safe_psql('postgres', 'CREATE DATABASE old_server');
$node->safe_psql('old_server', "CREATE EXTENSION pgmig VERSION '0.3'");
($rc, $out, $err) = pgmig($node, 'old_server', '--dir', $sync, '--json', 'push');
is($rc, 0, 'sync, 0.3 server: first push') or diag($err);
like($out, qr/"uploaded":\s*true/, 'sync, 0.3 server: the first push uploads');
($rc, $out, $err) = pgmig($node, 'old_server', '--dir', $sync, '--json', 'push');
is($rc, 0, 'sync, 0.3 server: second push') or diag($err);
like($out, qr/"uploaded":\s*false/, 'sync, 0.3 server: the second finds the folder in sync (digest from mig_revisions)');
$node->safe_psql('old_server', 'ALTER EXTENSION pgmig UPDATE');
is($node->safe_psql('old_server', 'SELECT digest IS NULL FROM pgmig.mig_sync()'), 't',
	'sync, after the update: mig_sync does not know the digest yet');
($rc, $out, $err) = pgmig($node, 'old_server', '--dir', $sync, '--json', 'push');
like($out, qr/"uploaded":\s*true/, 'sync, after the update: the first push uploads');
($rc, $out, $err) = pgmig($node, 'old_server', '--dir', $sync, '--json', 'push');
like($out, qr/"uploaded":\s*false/, 'sync, after the update: the next one finds the folder in sync');

done_testing();
