# 030_waits.pl — a wait that gives up names what it waited for (issue 16).
#
# Another session (a psql with its own application_name, its pid read from
# pg_backend_pid()) holds what pgmig waits for; the error's DETAIL must name
# that session: its pid, application_name, state, time in its transaction and
# the start of its query, one line per blocker.
#
# 1. The project lock, held by an open transaction that applied a revision:
#    pgmig.nowait in SQL (PM035), lock_timeout in SQL (PM035), and the client
#    with --nowait and --wait 1s, text and --json.  PM035's hint names the
#    client's --wait.
# 2. A body's ALTER TABLE waiting for a table another transaction read
#    (55P03 after pgmig.lock_timeout): in a plan of two revisions (no
#    subtransaction: the holders are read before the rollback), of one
#    revision (a subtransaction), with atomic => false (a WARNING), and
#    through the client (which retries within --retry-budget, then gives up
#    and prints the DETAIL).
# 3. A non-superuser caller without pg_read_all_stats sees the blocker's pid
#    and application_name, and "<insufficient privilege>" for the rest, as
#    pg_stat_activity shows it.
# 4. A lease (PM033): another session began a non-transactional revision.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('waits');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $db  = 'postgres';
my ($rc, $out, $err);

$node->safe_psql($db, q{
CREATE EXTENSION pgmig;
CREATE TABLE w_busy (id int);
SELECT revision FROM pgmig.mig_upload('w1', 'CREATE TABLE w_one (id int);');
});

# A psql session with application_name `name`; returns (session, pid).
sub holder
{
	my ($name) = @_;
	local $ENV{PGAPPNAME} = $name;
	my $s = $node->background_psql($db);
	$s->query_safe('SET client_min_messages = warning');
	my $pid = $s->query_safe('SELECT pg_backend_pid()');
	$pid =~ s/\s+//g;
	return ($s, $pid);
}

# Runs SQL in a fresh psql (ON_ERROR_STOP); returns its stderr.
sub psql_err
{
	my ($sql, %opt) = @_;
	my ($stdout, $stderr) = ('', '');
	$node->psql($db, $sql, stdout => \$stdout, stderr => \$stderr, %opt);
	return $stderr;
}

# 1. The project lock: A applied w1 in a transaction it keeps open.
my ($a, $apid) = holder('holder_a');
$a->query_safe("BEGIN; SELECT count(*) FROM pgmig.mig_apply('w1')");
my $line_a = qr/blocked by pid $apid \(application_name "holder_a", state "idle in transaction", in its transaction for \d+\.\d s, query: "SELECT count\(\*\) FROM pgmig\.mig_apply\('w1'\)( ;)?"\)/;

$err = psql_err(q{SET pgmig.nowait = on; SELECT * FROM pgmig.mig_apply();});
like($err, qr/project "default" is locked by another session/, 'nowait: PM035 message unchanged') or diag $err;
like($err, qr/DETAIL:  pgmig\.nowait is on, and another session holds the project lock:\n$line_a/,
	'nowait: the DETAIL names the holder: pid, application_name, state, time, query') or diag $err;
like($err, qr/HINT:  .*pgmig --wait <duration>.*SET pgmig\.nowait = off/, 'nowait: the hint names --wait and the GUC')
  or diag $err;

$err = psql_err(q{SET lock_timeout = '300ms'; SELECT * FROM pgmig.mig_apply();});
like($err, qr/timed out waiting for the lock of project "default"/, 'lock_timeout: PM035') or diag $err;
like($err, qr/DETAIL:  Another session held the project lock for longer than lock_timeout:\n$line_a/,
	'lock_timeout: the DETAIL names the holder (read after the caught timeout)') or diag $err;
like($err, qr/HINT:  .*pgmig --wait <duration>/, 'lock_timeout: the hint names --wait') or diag $err;

my $dir = "$tmp/m";
write_migration($dir, 'w1', [], 'CREATE TABLE w_one (id int);');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--nowait', 'up');
is($rc, 1, 'client --nowait: exit 1');
like($err, qr/$line_a.*PM035/s, 'client --nowait: prints the DETAIL naming the holder') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--wait', '1s', 'up');
is($rc, 1, 'client --wait 1s: exit 1');
like($err, qr/$line_a.*PM035/s, 'client --wait 1s: prints the DETAIL naming the holder') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', '--nowait', 'up');
my $doc = decode_json_ok($out) // decode_json_ok($err);
my $detail = $doc && $doc->{error} ? ($doc->{error}{detail} // '') : '';
like($detail, $line_a, 'client --json: error.detail names the holder') or diag "$out\n$err";

# 3. as a role without pg_read_all_stats: pid and application_name only
$node->safe_psql($db, q{CREATE ROLE w_plain LOGIN; GRANT pgmig_deployer TO w_plain;});
$err = psql_err(q{SET ROLE w_plain; SET pgmig.nowait = on; SELECT * FROM pgmig.mig_apply();});
like($err, qr/blocked by pid $apid \(application_name "holder_a", state and query: <insufficient privilege>\)/,
	'a role without pg_read_all_stats sees pid and application_name only') or diag $err;
$node->safe_psql($db, q{GRANT pg_read_all_stats TO w_plain;});
$err = psql_err(q{SET ROLE w_plain; SET pgmig.nowait = on; SELECT * FROM pgmig.mig_apply();});
like($err, $line_a, '... and everything with pg_read_all_stats') or diag $err;
$a->query_safe('COMMIT');

# 2. 55P03 inside a body: A read w_busy in a transaction it keeps open.
$a->query_safe("BEGIN; SELECT count(*) FROM w_busy");
my $line_t = qr/blocked by pid $apid \(application_name "holder_a", state "idle in transaction", in its transaction for \d+\.\d s, query: "SELECT count\(\*\) FROM w_busy( ;)?"\)/;
$node->safe_psql($db, q{
SELECT revision FROM pgmig.mig_upload('w2', 'CREATE TABLE w_two (id int);', parents => '{w1}');
SELECT revision FROM pgmig.mig_upload('w3', 'ALTER TABLE w_busy ADD COLUMN c int;', parents => '{w2}');
});
$err = psql_err(q{SET pgmig.lock_timeout = '300ms'; SELECT * FROM pgmig.mig_apply();});
like($err, qr/revision "w3", line 1: canceling statement due to lock timeout/, 'body: 55P03 message unchanged')
  or diag $err;
like($err, qr/DETAIL:  The statement waited longer than lock_timeout .*\n$line_t/,
	'body, plan of two (no subtransaction): the DETAIL names the holder') or diag $err;
$node->safe_psql($db, q{SELECT count(*) FROM pgmig.mig_apply('w2')});
$err = psql_err(q{SET pgmig.lock_timeout = '300ms'; SELECT * FROM pgmig.mig_apply();});
like($err, qr/DETAIL:  The statement waited longer than lock_timeout .*\n$line_t/,
	'body, plan of one (subtransaction): the DETAIL names the holder') or diag $err;
$err = psql_err(q{SET pgmig.lock_timeout = '300ms'; SELECT * FROM pgmig.mig_apply(atomic => false);});
like($err, qr/WARNING:  pgmig: revision "w3", line 1: canceling statement due to lock timeout/,
	'atomic => false: a warning') or diag $err;
write_migration($dir, 'w2', ['w1'], 'CREATE TABLE w_two (id int);');
write_migration($dir, 'w3', ['w2'], 'ALTER TABLE w_busy ADD COLUMN c int;');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--lock-timeout', '200ms', '--retry-budget', '1s', 'up');
is($rc, 1, 'client: gives up retrying the lock timeout');
like($err, qr/gave up after .*$line_t/s, 'client: the DETAIL after giving up names the holder') or diag $err;

# A ends its transaction but stays: nothing blocks, w3 applies.
$a->query_safe('COMMIT');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
is($rc, 0, 'without the holder, w3 applies') or diag "$out\n$err";

# 4. PM033: A began a non-transactional revision (its lease, its pid).
$node->safe_psql($db, q{
SELECT revision FROM pgmig.mig_upload('w4', 'CREATE INDEX CONCURRENTLY w_busy_i ON w_busy (id)', parents => '{w3}');
SELECT revision FROM pgmig.mig_upload('w5', 'CREATE TABLE w_five (id int);', parents => '{w4}');
});
$a->query_safe("SELECT revision FROM pgmig.mig_begin_nontx('w4')");
$err = psql_err(q{SELECT * FROM pgmig.mig_apply();});
like($err, qr/project "default" is busy: revision "w4" is being run outside a transaction/, 'lease: PM033')
  or diag $err;
like($err,
	qr/blocked by pid $apid \(application_name "holder_a", state "idle", not in a transaction, query: "SELECT revision FROM pgmig\.mig_begin_nontx\('w4'\)( ;)?"\)/,
	'lease: the DETAIL names the lease holder') or diag $err;
$a->quit;

done_testing();
