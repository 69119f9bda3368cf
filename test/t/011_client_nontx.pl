# 011_client_nontx.pl — non-transactional revisions run by the real client
# (RELIABILITY A8, B4): CREATE INDEX CONCURRENTLY between two transactional
# revisions in one `pgmig up`; a second `pgmig up` arriving meanwhile polls
# outside any transaction instead of deadlocking with the CIC; the client
# killed mid-CIC and the server stopped with `immediate` mid-CIC, both
# recovered by the next `pgmig up` (the INVALID index dropped, the index built
# again and valid, the revision recorded once); the down body (DROP INDEX
# CONCURRENTLY) through the same protocol.
#
# The CIC is held at a known point by an open transaction that has written to
# the table: CIC has already committed its (INVALID) catalog entry and waits
# for that transaction, so the interruption always leaves an INVALID index.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('nontx');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir . '/migrations';

write_migration($dir, 'r1_items', [],
	"CREATE TABLE items (id int PRIMARY KEY, v int);\nINSERT INTO items SELECT g, g % 97 FROM generate_series(1, 20000) g;\nCREATE TABLE log (rev text);",
	"DROP TABLE items, log;");
write_migration($dir, 'r2_items_v_idx', ['r1_items'],
	"CREATE INDEX CONCURRENTLY items_v_idx ON items (v);",
	"DROP INDEX CONCURRENTLY items_v_idx;");
write_migration($dir, 'r3_log', ['r2_items_v_idx'],
	"INSERT INTO log VALUES ('r3');", "DELETE FROM log WHERE rev = 'r3';");

my ($rc, $out, $err) = pgmig($node, 'postgres', 'init');
is($rc, 0, 'init exits 0') or diag($err);

# 1. one `pgmig up`: transactional, non-transactional, transactional, in order
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'up');
is($rc, 0, 'up applies a CIC between two transactional revisions') or diag("$out\n$err");
is($node->safe_psql('postgres', "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'items_v_idx'::regclass"),
	't', 'the index is valid and ready');
is($node->safe_psql('postgres', "SELECT string_agg(revision, ',' ORDER BY revision) FROM pgmig.applied"),
	'r1_items,r2_items_v_idx,r3_log', 'all three recorded');
is($node->safe_psql('postgres', "SELECT count(*) FROM pgmig.nontx_lease"), '0', 'no lease left');

# 2. down through the DROP INDEX CONCURRENTLY down body, then up again
($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'down', 'r1_items');
is($rc, 0, 'down runs the non-transactional down body') or diag("$out\n$err");
is($node->safe_psql('postgres', "SELECT to_regclass('items_v_idx') IS NULL"), 't', 'the index is gone');
is($node->safe_psql('postgres', "SELECT string_agg(revision, ',') FROM pgmig.applied"), 'r1_items', 'only r1 applied');

# Holds the CIC: an open transaction that wrote to items.
sub start_blocker
{
	my $b = $node->background_psql('postgres');
	$b->query_safe("BEGIN; INSERT INTO items VALUES (-1, 0)");
	return $b;
}

# True once the CIC of a pgmig client waits for the blocker.
my $cic_waiting = q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity
	WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock')};

# 3. a second applier arriving during the CIC polls (no deadlock), then finds nothing to do
my $blocker = start_blocker();
my ($out1, $err1, $out2, $err2) = ('', '', '', '');
my $first = pgmig_start($node, 'postgres', \$out1, \$err1, '--dir', $dir, 'up');
ok(wait_for_query($node, 'postgres', $cic_waiting), 'the first client is in its CIC');
my $second = pgmig_start($node, 'postgres', \$out2, \$err2, '--dir', $dir, 'up');
ok(wait_for_query($node, 'postgres',
	q{SELECT count(*) >= 1 FROM pgmig.event WHERE kind = 'start' AND revision = 'r2_items_v_idx'}),
	'the lease is taken');
sleep 2;    # the second client is polling now
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgmig%' AND state LIKE 'idle in transaction%'}),
	'0', 'no pgmig client waits inside a transaction');
$blocker->query_safe("ROLLBACK");
$blocker->quit;
$first->finish;
is($first->result(0), 0, 'the first client completes') or diag("$out1\n$err1");
$second->finish;
is($second->result(0), 0, 'the polling client completes') or diag("$out2\n$err2");
is($node->safe_psql('postgres', "SELECT count(*) FROM log WHERE rev = 'r3'"), '1', 'r3 ran exactly once');
is($node->safe_psql('postgres', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_v_idx'::regclass"),
	't', 'the index is valid');
my $log = slurp_file($node->logfile);
unlike($log, qr/deadlock detected/, 'no deadlock in the server log');

# Runs an interruption of the CIC and the recovery that follows.
sub interrupted
{
	my ($what, $repairs, $interrupt) = @_;
	($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'down', 'r1_items');
	is($rc, 0, "$what: back to r1") or diag("$out\n$err");
	my $b = start_blocker();
	my ($o, $e) = ('', '');
	my $h = pgmig_start($node, 'postgres', \$o, \$e, '--dir', $dir, 'up');
	ok(wait_for_query($node, 'postgres', $cic_waiting), "$what: the client is in its CIC");
	$interrupt->($h, $b);
	is($node->safe_psql('postgres', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_v_idx'::regclass"),
		'f', "$what: an INVALID index was left behind");
	is($node->safe_psql('postgres', "SELECT alive FROM pgmig.mig_lease()"), 'f', "$what: the lease is stale");

	($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'up');
	is($rc, 0, "$what: the next up recovers and completes") or diag("$out\n$err");
	is($node->safe_psql('postgres',
		"SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'items_v_idx'::regclass"),
		't', "$what: the index is valid");
	is($node->safe_psql('postgres', "SELECT count(*) FROM pgmig.applied"), '3', "$what: all recorded");
	is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pgmig.event WHERE kind = 'repair' AND message LIKE '%dropped%INVALID%'}),
		$repairs, "$what: the repair is in the history");
	is($node->safe_psql('postgres', "SELECT count(*) FROM pgmig.nontx_lease"), '0', "$what: no lease left");
}

# 4. the client killed mid-CIC: client_connection_check_interval ends its backend
interrupted('client killed', 1, sub {
	my ($h, $b) = @_;
	$h->signal('KILL');
	$h->finish;
	ok(wait_for_query($node, 'postgres',
		q{SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%')}, 30),
		'client killed: its backend ends');
	$b->query_safe("ROLLBACK");
	$b->quit;
});

# 5. an immediate server stop mid-CIC
interrupted('immediate stop', 2, sub {
	my ($h, $b) = @_;
	$node->stop('immediate');
	$h->finish;
	eval { $b->quit };
	$node->start;
});

done_testing();
