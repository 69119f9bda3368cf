# 013_client_failures.pl — how the client behaves when things go wrong:
#   - the connection is lost in the middle of a revision: the client says the
#     transaction did not commit, exits 1, and the next `up` applies it;
#   - a DDL statement waits for a table lock longer than --lock-timeout: the
#     client retries the revision with back-off, reports each attempt, and
#     succeeds once the blocker is gone (RELIABILITY A7);
#   - the project lock is held by another session: --nowait fails at once
#     with PM035, --wait gives up after the given time with PM035.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('failures');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir . '/m';
my $db = 'postgres';

write_migration($dir, 'f1', [], "CREATE TABLE t (id int);\nCREATE TABLE flag (on_ boolean);\nINSERT INTO flag VALUES (true);");
write_migration($dir, 'f2', ['f1'],
	"CREATE TABLE slow (id int);\nSELECT pg_sleep(CASE WHEN (SELECT bool_or(on_) FROM flag) THEN 60 ELSE 0 END);");
write_migration($dir, 'f3', ['f2'], "ALTER TABLE t ADD COLUMN c int;");

my ($rc, $out, $err) = pgmig($node, $db, 'init');
is($rc, 0, 'init');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'f1');
is($rc, 0, 'up to f1') or diag("$out\n$err");

# 1. lost connection during f2
my ($o, $e) = ('', '');
my $h = pgmig_start($node, $db, \$o, \$e, '--dir', $dir, 'up');
ok(wait_for_query($node, $db, q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep')}),
	'the client runs f2');
$node->safe_psql($db, q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'});
$h->finish;
is($h->result(0), 1, 'lost connection: exit 1');
like($e, qr/did not commit|aborted|rolled back/, 'the client says the transaction did not commit') or diag($e);
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = 'f2'") . '|'
	. $node->safe_psql($db, "SELECT to_regclass('slow') IS NULL"), '0|t', 'and indeed nothing of f2 is there');
$node->safe_psql($db, "UPDATE flag SET on_ = false");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'f2');
is($rc, 0, 'up again applies f2') or diag("$out\n$err");

# 2. a lock timeout in a body is retried with back-off
my $blocker = $node->background_psql($db);
$blocker->query_safe("BEGIN; SELECT count(*) FROM t");
($o, $e) = ('', '');
my $t0 = time();
$h = pgmig_start($node, $db, \$o, \$e, '--dir', $dir, '--lock-timeout', '200ms', '--retry-budget', '60s', 'up');
ok(wait_for_query($node, $db,
	q{SELECT count(*) >= 1 FROM pg_stat_activity WHERE query LIKE '%mig_apply%' AND wait_event_type = 'Lock'}),
	'the ALTER waits for the table lock');
sleep 2;
$blocker->query_safe("COMMIT");
$blocker->quit;
$h->finish;
is($h->result(0), 0, 'the retried revision is applied once the blocker is gone') or diag("$o\n$e");
like($e, qr/attempt 2/, 'each attempt is reported') or diag($e);
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = 'f3'"), '1', 'f3 applied once');

# 3. the project lock: --nowait and --wait
write_migration($dir, 'f4', ['f3'], "CREATE TABLE f4 (id int);");
my $holder = $node->background_psql($db);
$holder->query_safe("BEGIN; SELECT pg_advisory_xact_lock(1885826407, hashtext('default'))");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--nowait', 'up');
is($rc, 1, '--nowait: exit 1 while the lock is held');
like($err, qr/PM035/, '--nowait: PM035');
$t0 = time();
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--wait', '1s', 'up');
my $waited = time() - $t0;
is($rc, 1, '--wait 1s: exit 1 while the lock is held');
like($err, qr/PM035/, '--wait: PM035');
ok($waited >= 0.9 && $waited < 30, "--wait 1s gave up after about a second (${waited}s)");
$holder->query_safe("COMMIT");
$holder->quit;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
is($rc, 0, 'up once the lock is free') or diag("$out\n$err");

done_testing();
