# 027_client_edges.pl — the smaller edges of issue 14 (item 10 and the list
# after it), each against a live server:
#
# 1. A stalled client cannot hold a non-transactional lease forever.  The
#    client's session runs with idle_session_timeout = --idle-timeout while
#    it holds a lease: a client stopped (SIGSTOP) while its CREATE INDEX
#    CONCURRENTLY waits, whose statement then completes, loses its session
#    that long after; the next `pgmig up` recovers the lease (the index is
#    valid: recorded, not built again).  A session holding a lease that sets
#    no such timeout (psql) is ended by the next writer once it has sat idle
#    longer than pgmig.lease_idle_timeout, and that writer's client then
#    recovers and runs the revision.
# 2. A role whose default_transaction_isolation is serializable: `pgmig up`
#    (a transactional and a non-transactional revision) works.
# 3. `--wait 0` fails at once (PM035) while another session holds the
#    project lock, instead of waiting forever.
# 4. 16 first inits across 4 databases of a fresh cluster at once (roles
#    are per cluster, the init lock per database): all exit 0.
# 5. A malformed URI's error, text and JSON, and DATABASE_URL's: the password
#    never shows.
# 6. A failed up and a failed down: recorded in the history (kind failure,
#    with the SQLSTATE); a closing line says where the run left the database;
#    the JSON error names the revision.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('edges');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);

# A psql session kept open: send() a statement, wait_for() a line.
sub session
{
	my ($db) = @_;
	my %s = (in => '', out => '', err => '');
	$s{h} = IPC::Run::start([ 'psql', '-X', '-At', '-h', $node->host, '-p', $node->port, '-d', $db ],
		'<', \$s{in}, '>', \$s{out}, '2>', \$s{err});
	return \%s;
}
sub send_sql { my ($s, $sql) = @_; $s->{in} .= "$sql\n"; $s->{h}->pump_nb; }
sub wait_out
{
	my ($s, $re, $seconds) = @_;
	my $until = time() + ($seconds // 30);
	while (time() < $until)
	{
		$s->{h}->pump_nb;
		return 1 if $s->{out} =~ $re;
		usleep(20_000);
	}
	return 0;
}

# 1. Stalled lease holders.
my $db = 'stall';
$node->safe_psql('postgres', "CREATE DATABASE $db");
($rc, $out, $err) = pgmig($node, $db, 'init');
is($rc, 0, 'init') or diag $err;
$node->safe_psql($db, 'CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 20000);');
my $dir = "$tmp/stall";
write_migration($dir, 's1', [], 'CREATE TABLE s1 (id int);', 'DROP TABLE s1;');
write_migration($dir, 's2', ['s1'], 'CREATE INDEX CONCURRENTLY big_id_idx ON big (id);',
	'DROP INDEX CONCURRENTLY big_id_idx;');
write_migration($dir, 's3', ['s2'], 'CREATE TABLE s3 (id int);', 'DROP TABLE s3;');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 's1');
is($rc, 0, 'up to s1') or diag $err;
# PGMIG_STALL_ROUNDS times (default 1; `make stress` runs 10): an old
# snapshot makes the CREATE INDEX CONCURRENTLY wait, the client is stopped,
# the index completes; the session must end about --idle-timeout later.
my $stall_rounds = $ENV{PGMIG_STALL_ROUNDS} // 1;
my @lost;
my $old;
for my $round (1 .. $stall_rounds)
{
	if ($round > 1)
	{
		($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 's1');
		is($rc, 0, "stall round $round: down to s1") or diag "$out\n$err";
	}
	$old = session($db);
	send_sql($old, q{BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'snap:' || count(*) FROM big;});
	ok(wait_out($old, qr/snap:20000/), 'a transaction with an old snapshot is open');
	my ($co, $ce) = ('', '');
	my $h = pgmig_start($node, $db, \$co, \$ce, '--dir', $dir, '--idle-timeout', '2s', 'up');
	ok(wait_for_query($node, $db, q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity
		WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock')}),
		'the client\'s CREATE INDEX CONCURRENTLY waits for the old snapshot');
	my $cpid = $h->{KIDS}[0]{PID};
	kill 'STOP', $cpid;
	send_sql($old, 'COMMIT;');
	ok(wait_for_query($node, $db, q{SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = 'big_id_idx'::regclass}),
		'the index is built while its client is stopped');
	my $built = time();
	ok(wait_for_query($node, $db, q{SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN pgmig.nontx_lease l
		ON a.pid = l.backend_pid)}, 20), 'the stopped client loses its session');
	my $lost = time() - $built;
	push @lost, $lost;
	cmp_ok($lost, '<', 10, sprintf('... %.1f s after its statement completed (--idle-timeout 2s)', $lost));
	kill 'KILL', $cpid;
	$h->finish;
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
	is($rc, 0, 'the next up recovers the lease and goes on') or diag "$out\n$err";
	like($err, qr/recorded as applied: the statement completed before its client was lost/,
		'... recording s2 without building it again') or diag $err;
	is($node->safe_psql($db, q{SELECT string_agg(revision, ',' ORDER BY revision) FROM pgmig.applied}), 's1,s2,s3',
		'all applied');
	$old->{h}->kill_kill if $round < $stall_rounds;
}
@lost = sort { $a <=> $b } @lost;
diag sprintf('figure: stalled_client_rounds = %d', scalar @lost);
diag sprintf('figure: stalled_client_session_ended_after_s = %.1f (idle-timeout 2 s)', $lost[0]) if @lost == 1;
diag sprintf('figure: stalled_client_session_ended_after_s_min_median_max = %.1f / %.1f / %.1f (idle-timeout 2 s)',
	$lost[0], $lost[$#lost / 2], $lost[-1]) if @lost > 1;

# a lease held from psql, which sets no idle_session_timeout
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 's1');
is($rc, 0, 'down to s1') or diag "$out\n$err";
$node->safe_psql('postgres', qq{ALTER DATABASE $db SET pgmig.lease_idle_timeout = '1s'});
my $ps = session($db);
send_sql($ps, q{SELECT 'lease:' || revision FROM pgmig.mig_begin_nontx('s2');});
ok(wait_out($ps, qr/lease:s2/), 'a psql session takes the lease of s2 and sits idle');
my $pspid = $node->safe_psql($db, q{SELECT backend_pid FROM pgmig.nontx_lease});
sleep(2);
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--wait', '30s', 'up');
is($rc, 0, 'another writer ends the idle holder\'s session, recovers and applies') or diag "$out\n$err";
is($node->safe_psql($db, "SELECT count(*) FROM pg_stat_activity WHERE pid = $pspid"), '0', 'the holder\'s session is gone');
is($node->safe_psql($db, q{SELECT string_agg(revision, ',' ORDER BY revision) FROM pgmig.applied}), 's1,s2,s3',
	'all applied again');
$node->safe_psql('postgres', "ALTER DATABASE $db RESET pgmig.lease_idle_timeout");
$ps->{h}->kill_kill;
$old->{h}->kill_kill;

# 2. default_transaction_isolation = serializable
$node->safe_psql('postgres', 'CREATE DATABASE ser');
$node->safe_psql('postgres', q{ALTER DATABASE ser SET default_transaction_isolation = 'serializable'});
$node->safe_psql('ser', 'CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 100);');
($rc, $out, $err) = pgmig($node, 'ser', 'init');
is($rc, 0, 'serializable: init') or diag $err;
($rc, $out, $err) = pgmig($node, 'ser', '--dir', $dir, 'up');
is($rc, 0, 'serializable: up, transactional and non-transactional revisions') or diag "$out\n$err";
is($node->safe_psql('ser', q{SELECT count(*) FROM pgmig.applied}), '3', 'serializable: all applied');

# 3. --wait 0
my $holder = session($db);
send_sql($holder, q{BEGIN; SELECT 'held:' || pg_advisory_xact_lock(1885826407, hashtext('default'));});
ok(wait_out($holder, qr/held:/), 'another session holds the project lock');
write_migration($dir, 's4', ['s3'], 'CREATE TABLE s4 (id int);', 'DROP TABLE s4;');
my $t0 = time();
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--wait', '0', 'up');
my $took = time() - $t0;
is($rc, 1, '--wait 0: fails');
like($err, qr/is locked by another session.*PM035/s, '... with PM035') or diag $err;
cmp_ok($took, '<', 5, sprintf('... at once (%.2f s)', $took));
send_sql($holder, 'COMMIT;');
$holder->{h}->finish;

# 4. Concurrent first inits across databases of a fresh cluster,
# PGMIG_INIT_ROUNDS times (default 1; `make stress` runs 20): after each
# round the databases and pgmig's roles are dropped, so that every round's
# inits are first inits.
my $fresh = PostgreSQL::Test::Cluster->new('fresh');
$fresh->init;
$fresh->start;
my $init_rounds = $ENV{PGMIG_INIT_ROUNDS} // 1;
my @dbs = map { "i$_" } 1 .. 4;
my $failed = 0;
for my $round (1 .. $init_rounds)
{
	$fresh->safe_psql('postgres', "CREATE DATABASE $_") for @dbs;
	is($fresh->safe_psql('postgres', q{SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgmig\_%'}), '0',
		"init round $round: no pgmig role exists yet");
	my @runs;
	for my $d (@dbs)
	{
		for (1 .. 4)
		{
			my ($o, $e) = ('', '');
			push @runs, [ pgmig_start($fresh, $d, \$o, \$e, 'init'), \$o, \$e, $d ];
		}
	}
	my $round_failed = 0;
	for my $r (@runs)
	{
		$r->[0]->finish;
		if ($r->[0]->result(0) != 0)
		{
			$round_failed++;
			diag "init in $r->[3]: ${$r->[2]}";
		}
	}
	$failed += $round_failed;
	is($round_failed, 0, "init round $round: 16 first inits across 4 databases at once: all succeed");
	is($fresh->safe_psql($_, q{SELECT extversion IS NOT NULL FROM pg_extension WHERE extname = 'pgmig'}), 't',
		"$_ has pgmig") for @dbs;
	$fresh->safe_psql('postgres', "DROP DATABASE $_") for @dbs;
	$fresh->safe_psql('postgres', q{DO $$DECLARE r text; BEGIN
		FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'pgmig\_%' LOOP
			EXECUTE format('DROP ROLE %I', r);
		END LOOP; END$$});
}
diag sprintf('figure: concurrent_inits = %d rounds of 16 across 4 databases, failed = %d', $init_rounds, $failed);
$fresh->stop;

# 5. Passwords never show.
my $uri = 'postgresql://alice:s3cr3tPW@[::1/db';
($rc, $out, $err) = pgmig($node, $db, '-d', $uri, 'status');
is($rc, 1, 'a malformed URI: error');
unlike($err, qr/s3cr3tPW/, '... its password is not in the message') or diag $err;
like($err, qr{alice:\*\*\*\@}, '... masked') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--json', '-d', $uri, 'status');
unlike($out . $err, qr/s3cr3tPW/, '... nor in the JSON') or diag $out;
{
	local $ENV{DATABASE_URL} = 'postgresql://alice:s3cr%zzPW@localhost/db';
	local $ENV{PGDATABASE};
	delete $ENV{PGDATABASE};
	my ($o, $e) = ('', '');
	IPC::Run::run([ pgmig_bin(), 'status' ], '<', \undef, '>', \$o, '2>', \$e);
	unlike($o . $e, qr/s3cr%zzPW|s3cr/, 'DATABASE_URL\'s password neither') or diag $e;
}

# 6. Failures are recorded and the run says where it stopped.
my $fdir = "$tmp/fail";
write_migration($fdir, 'f1', [], 'CREATE TABLE f1 (id int);', 'SELECT 1 / 0;');
write_migration($fdir, 'f2', ['f1'], "CREATE TABLE f2 (id int);\nSELECT 1 / 0;", 'DROP TABLE f2;');
$node->safe_psql('postgres', 'CREATE DATABASE fail');
($rc, $out, $err) = pgmig($node, 'fail', 'init');
($rc, $out, $err) = pgmig($node, 'fail', '--dir', $fdir, 'up');
is($rc, 1, 'a failing up exits 1');
like($out, qr/^1 revision applied before the failure; at f1$/m, '... and says where it stopped') or diag $out;
($rc, $out, $err) = pgmig($node, 'fail', '--dir', $fdir, '--json', 'down', '-1');
is($rc, 1, 'a failing down exits 1');
my $doc = decode_json_ok($out);
is($doc && $doc->{error}{revision}, 'f1', '... its JSON error names the revision') or diag $out;
is($doc && join(',', @{ $doc->{current} // [] }), 'f1', '... and where it left the database') or diag $out;
($rc, $out, $err) = pgmig($node, 'fail', '--dir', $fdir, 'down', '-1');
like($out, qr/^0 revisions reverted before the failure; at f1$/m, 'a failing down says where it stopped') or diag $out;
is($node->safe_psql('fail', q{SELECT string_agg(concat_ws(':', revision, target, sqlstate), ',' ORDER BY event_id)
	FROM pgmig.event WHERE kind = 'failure'}), 'f2::22012,f1:down:22012,f1:down:22012',
	'both failures are in the history, with their SQLSTATE');

done_testing();
