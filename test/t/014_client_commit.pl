# 014_client_commit.pl — the client on a connection lost during COMMIT, a
# non-transactional revision run as its uploader, and the session settings
# that keep a stalled client from holding locks:
#   - COMMIT of a revision is interrupted while its deferred foreign key
#     check waits for a row another session holds (the transaction aborts):
#     the client reconnects, asks pg_xact_status() for the transaction id
#     mig_apply returned, and reports "aborted"; the next `up` applies the
#     revision.  (A deferred RI check runs at COMMIT as the table's owner;
#     pgmig fires a body's other deferred triggers before the body ends.)
#   - COMMIT is interrupted after the commit record is written (the backend
#     waits for a synchronous standby that does not exist): the client
#     reports "committed", and the next `up` has nothing to do;
#   - a CREATE INDEX CONCURRENTLY uploaded by a low-privileged role and
#     applied by a superuser runs with the uploader's privileges: on a table
#     the uploader does not own it fails with 42501, on its own table it
#     succeeds;
#   - the client's sessions run with idle_in_transaction_session_timeout =
#     60s, client_connection_check_interval = 100ms and application_name pgmig.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('commit');
$node->init(allows_streaming => 1);    # max_wal_senders > 0: COMMIT can wait for a standby
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir . '/m';
my $db = 'postgres';

write_migration($dir, 'c1', [], "CREATE TABLE c2_parent (id int PRIMARY KEY);\nINSERT INTO c2_parent VALUES (1);");
write_migration($dir, 'c2', ['c1'], <<'SQL');
CREATE TABLE c2 (id int, p int REFERENCES c2_parent DEFERRABLE INITIALLY DEFERRED);
INSERT INTO c2 VALUES (1, 1);
SQL
write_migration($dir, 'c3', ['c2'], "CREATE TABLE c3 (id int);");
write_migration($dir, 'c4', ['c3'], <<'SQL');
CREATE TABLE settings AS
SELECT current_setting('idle_in_transaction_session_timeout') AS idle,
       current_setting('client_connection_check_interval') AS check_interval,
       current_setting('application_name') AS app;
SQL

delete $ENV{PGAPPNAME};
my ($rc, $out, $err) = pgmig($node, $db, 'init');
is($rc, 0, 'init');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'c1');
is($rc, 0, 'up to c1') or diag("$out\n$err");

# 1. COMMIT of c2 interrupted while its deferred foreign key check waits for
# the row another session holds: aborted.
my ($hin, $hout, $herr) = ("BEGIN;\nSELECT id FROM c2_parent WHERE id = 1 FOR UPDATE;\n", '', '');
my $holder = IPC::Run::start([ 'psql', '-X', '-At', '-h', $node->host, '-p', $node->port, '-d', $db ],
	'<', \$hin, '>', \$hout, '2>', \$herr);
$holder->pump until $hout =~ /^1$/m;
my ($o, $e) = ('', '');
my $h = pgmig_start($node, $db, \$o, \$e, '--dir', $dir, 'up', 'c2');
ok(wait_for_query($node, $db,
	q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query = 'COMMIT')}),
	'the client is in COMMIT of c2, in the deferred foreign key check');
$node->safe_psql($db,
	q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query = 'COMMIT'});
$h->finish;
$hin .= "COMMIT;\n";
$holder->finish;
is($h->result(0), 1, 'lost during COMMIT: exit 1');
like($e, qr/lost during COMMIT of the transaction of c2; the server says transaction \d+ is aborted/,
	'the client asked the server: aborted') or diag($e);
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = 'c2'") . '|'
	. $node->safe_psql($db, "SELECT to_regclass('c2') IS NULL"), '0|t', 'and indeed nothing of c2 is there');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'c2');
is($rc, 0, 'up again applies c2') or diag("$out\n$err");
like($out, qr/c2/, 'c2 reported');

# 2. COMMIT of c3 interrupted after the commit record: committed.  With a
# synchronous standby that never connects, COMMIT waits after the local
# commit; terminating the backend then leaves the transaction committed.
# Only transactions with a transaction id wait, so the push (nothing new)
# and the checks below go through.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 0, 'push before the standby is required') or diag("$out\n$err");
$node->safe_psql($db, "ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
$node->reload;
ok(wait_for_query($node, $db, "SELECT current_setting('synchronous_standby_names') = 'nobody'"),
	'new sessions wait for the standby');
($o, $e) = ('', '');
$h = pgmig_start($node, $db, \$o, \$e, '--dir', $dir, 'up', 'c3');
ok(wait_for_query($node, $db,
	q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND query = 'COMMIT')}),
	'the client is in COMMIT of c3, waiting for the standby');
$node->safe_psql($db, q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'});
$h->finish;
is($h->result(0), 1, 'lost during COMMIT: exit 1');
like($e, qr/lost during COMMIT of the transaction of c3; the server says transaction \d+ is committed/,
	'the client asked the server: committed') or diag($e);
$node->safe_psql($db, "ALTER SYSTEM RESET synchronous_standby_names");
$node->reload;
ok(wait_for_query($node, $db, "SELECT current_setting('synchronous_standby_names') = ''"),
	'new sessions no longer wait');
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = 'c3'") . '|'
	. $node->safe_psql($db, "SELECT to_regclass('c3') IS NOT NULL"), '1|t', 'and indeed c3 is applied');
($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir, 'up', 'c3');
is($rc, 0, 'up to c3 again') or diag("$out\n$err");
my $j = decode_json_ok($out);
is(scalar @{ $j->{revisions} // [ 'missing' ] }, 0, 'and it has nothing to do');

# 3. Session settings, as seen by a body.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'c4');
is($rc, 0, 'up to c4') or diag("$out\n$err");
is($node->safe_psql($db, "SELECT idle || '|' || check_interval || '|' || app FROM settings"), '1min|100ms|pgmig',
	'idle_in_transaction_session_timeout, client_connection_check_interval, application_name');

# 4. A non-transactional revision runs as its uploader.
$node->safe_psql($db, q{
	CREATE ROLE lo LOGIN IN ROLE pgmig_deployer;
	GRANT CREATE ON SCHEMA public TO lo;
	CREATE TABLE not_lo (id int);
	INSERT INTO not_lo VALUES (1);
	SET ROLE lo;
	CREATE TABLE lo_items (id int);
});
write_migration($dir, 'c5', ['c4'], "CREATE INDEX CONCURRENTLY not_lo_idx ON not_lo (id);");
{
	local $ENV{PGUSER} = 'lo';
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
}
is($rc, 0, 'lo pushes c5') or diag("$out\n$err");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
is($rc, 1, 'the superuser applying c5 fails') or diag("$out\n$err");
like($err, qr/must be owner of table not_lo/, 'because c5 ran as lo, who does not own not_lo') or diag($err);
like($err, qr/42501/, 'with 42501') or diag($err);
is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 'not_lo_idx'") . '|'
	. $node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = 'c5'") . '|'
	. $node->safe_psql($db, "SELECT count(*) FROM pgmig.nontx_lease"), '0|0|0',
	'no index, c5 not applied, no lease left');

# The same revision on lo's own table (replaced: c5 was never applied).
write_migration($dir, 'c5', ['c4'], "CREATE INDEX CONCURRENTLY lo_items_idx ON lo_items (id);");
{
	local $ENV{PGUSER} = 'lo';
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
}
is($rc, 0, 'lo pushes the new c5') or diag("$out\n$err");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
is($rc, 0, 'the superuser applies c5 on lo_items') or diag("$out\n$err");
is($node->safe_psql($db, q{SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = 'lo_items_idx'::regclass}), 't',
	'the index is valid');

$node->stop;
done_testing();
