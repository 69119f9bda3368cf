# 023_crash_nontx.pl — RELIABILITY B4 at random moments: a non-transactional
# CREATE INDEX CONCURRENTLY interrupted by an immediate server stop, or by
# pg_cancel_backend of its backend, anywhere in the build, never leaves a
# revision recorded as applied while its index is INVALID or missing, and the
# next `pgmig up` recovers with no manual step.
#
# 011_client_nontx.pl interrupts the CIC at one known point (held by an open
# writer, so the index is always INVALID).  Here nothing holds it: a table big
# enough that the CIC takes about a second (PGMIG_NONTX_ROWS rows, default
# 2,000,000; two uninterrupted runs of `pgmig up --json` report how long the
# client's CIC takes), and the interruption comes after a random delay of 0 to
# 1.1 times that duration, counted from the moment the CIC shows in
# pg_stat_activity.  So the build may be cut before its catalog entry commits
# (no index), in any build or validation phase (INVALID index), after the
# index became valid but before mig_finish_nontx recorded it, or after the
# revision was recorded.  The phase (pg_stat_progress_create_index) just
# before the interruption is recorded.
#
# The real client (PGMIG_BIN) runs `pgmig up` on a chain
#   r1_log (transactional) -> r2_big_v_idx (CIC) -> r3_after (transactional,
#   inserts one row into log)
# and each iteration starts from r1_log (`pgmig down r1_log`, whose down body
# of r2 is DROP INDEX CONCURRENTLY).  Two modes, PGMIG_NONTX_CRASH_ITERATIONS
# iterations each (default 3; `make stress`: 20):
#   stop:   $node->stop('immediate') then start;
#   cancel: pg_cancel_backend(pid of the client's backend), the client goes on
#           (reports the error, cleans up with mig_abort_nontx) and exits.
# The window between a completed build and its record (mig_finish_nontx) is a
# few milliseconds, which random delays seldom hit; so two more modes, with a
# third of the iterations (rounded up), hold the client there: once its CIC
# runs, the test takes the project's advisory lock (pgmig's key), so the
# client's mig_finish_nontx waits for it after the build, and then
#   stop after build / cancel after build: the same interruptions.
# There the statement did complete: it must be recorded, never run again.
# After the interruption, before anything else touches the project:
#   - 0 revisions recorded as applied with their index INVALID, not ready or
#     missing (the figure the issue asks for), and r3 recorded only after r2;
#   - no lease whose backend is alive (a stale one is recoverable);
#   - cancel mode, when the CIC itself was cancelled (the client's error names
#     r2's file and "canceling statement"): the client exits 1 and left
#     neither an INVALID index nor a lease behind.
# Then `pgmig up` (no manual step, --wait 30s so a stuck lease fails fast):
#   - exits 0; the index is valid and ready and passes amcheck with
#     heapallindexed; r1, r2, r3 recorded; r3's body ran exactly once; no
#     lease left;
#   - an index that was already valid before the recovery is the same index
#     afterwards (the completed statement was recorded, not run again);
#   - an INVALID index found after a stop is dropped and the repair logged.
# Figures are printed as "# figure: name = value" lines (scripts/stress.sh
# collects them).  PGMIG_SEED repeats the same delays.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;
use Time::HiRes qw(time sleep);

my $iterations = $ENV{PGMIG_NONTX_CRASH_ITERATIONS} // 3;
my $rows       = $ENV{PGMIG_NONTX_ROWS} // 2_000_000;
my $seed       = $ENV{PGMIG_SEED} // int(time());
srand($seed);
note("seed $seed (set PGMIG_SEED to repeat the same delays)");

my $node = PostgreSQL::Test::Cluster->new('crash_nontx');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '256MB'\n");
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir . '/migrations';

$node->safe_psql(
	'postgres', qq{
CREATE EXTENSION amcheck;
CREATE TABLE big AS SELECT g AS id, (g::bigint * 7919) % 1000003 AS v FROM generate_series(1, $rows) g;
VACUUM ANALYZE big;
CHECKPOINT;
});

write_migration($dir, 'r1_log', [], "CREATE TABLE log (rev text);", "DROP TABLE log;");
write_migration($dir, 'r2_big_v_idx', ['r1_log'],
	"CREATE INDEX CONCURRENTLY big_v_idx ON big (v);",
	"DROP INDEX CONCURRENTLY big_v_idx;");
write_migration($dir, 'r3_after', ['r2_big_v_idx'],
	"INSERT INTO log VALUES ('r3');", "DELETE FROM log WHERE rev = 'r3';");

my ($rc, $out, $err) = pgmig($node, 'postgres', 'init');
is($rc, 0, 'init exits 0') or diag($err);

# Two full runs first (the chain applies, so each iteration can go back to
# r1); the client's own report says how long its CIC takes here (the faster
# of the two: the first one also sets the table's hint bits).
my $cic_seconds;
for my $run (1, 2)
{
	if ($run > 1)
	{
		($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'down', 'r1_log');
		is($rc, 0, 'down to r1_log for the second full run') or diag("$out\n$err");
	}
	($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '--json', 'up');
	is($rc, 0, "full run $run: up applies the whole chain") or diag("$out\n$err");
	my $doc = decode_json_ok($out);
	my ($cic) = grep { $_->{revision} eq 'r2_big_v_idx' } @{ ($doc // {})->{revisions} // [] };
	my $took = $cic ? $cic->{seconds} : 0;
	$cic_seconds = $took if !defined $cic_seconds || $took < $cic_seconds;
}
diag(sprintf('figure: nontx_rows = %d', $rows));
diag(sprintf('figure: nontx_cic_seconds = %.2f', $cic_seconds));
cmp_ok($cic_seconds, '>=', 0.3,
	"the client's CIC takes long enough to be interrupted in the middle (expected >= 0.3 s, took "
	  . sprintf('%.2f s', $cic_seconds) . ")");

# The state the test checks, as a hash: which revisions are recorded, the
# index (oid, valid and ready), the lease, counters.
sub catalog_state
{
	my $r = $node->safe_psql(
		'postgres', q{
SELECT coalesce((SELECT string_agg(revision, ',' ORDER BY revision) FROM pgmig.applied), ''),
       coalesce((SELECT c.oid::text FROM pg_class c WHERE c.oid = to_regclass('big_v_idx')), ''),
       coalesce((SELECT (i.indisvalid AND i.indisready)::text FROM pg_index i
                  WHERE i.indexrelid = to_regclass('big_v_idx')), ''),
       (SELECT count(*) FROM pgmig.mig_lease()),
       (SELECT count(*) FROM pgmig.mig_lease() WHERE alive),
       (SELECT count(*) FROM pgmig.event WHERE kind = 'repair'),
       (SELECT count(*) FROM log WHERE rev = 'r3')});
	my %s;
	@s{qw(applied oid valid leases alive_leases repairs r3_rows)} = split /\|/, $r, -1;
	$s{r2} = ($s{applied} =~ /(^|,)r2_big_v_idx(,|$)/) ? 1 : 0;
	$s{r3} = ($s{applied} =~ /(^|,)r3_after(,|$)/)     ? 1 : 0;
	return \%s;
}

# Waits for a running harness to end (at most $seconds); kills it otherwise.
# Returns its exit code, or undef when it had to be killed.
sub finish_within
{
	my ($h, $seconds) = @_;
	my $deadline = time() + $seconds;
	while ($h->pumpable && time() < $deadline)
	{
		$h->pump_nb;
		sleep(0.05);
	}
	if ($h->pumpable)
	{
		$h->kill_kill;
		return undef;
	}
	$h->finish;
	return $h->result(0);
}

# The pid of the backend running the client's CIC, polled for $seconds.
sub cic_pid
{
	my ($seconds) = @_;
	my $deadline = time() + $seconds;
	while (time() < $deadline)
	{
		my $pid = $node->safe_psql('postgres',
			q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND query LIKE 'CREATE INDEX CONCURRENTLY big_v_idx%' AND state = 'active'}
		);
		return $pid if $pid ne '';
		sleep(0.01);
	}
	return undef;
}

# pgmig's advisory lock class ('pgmg'; the second key is hashtext(project)).
my $lock_class = 1885826407;

my %figure = (
	recorded_bad_index => 0,
	recoveries_ok      => 0,
	recoveries         => 0,
	not_rebuilt        => 0,
);
my (%outcome, %phase, @restart, @recover);

# One iteration: back to r1, `pgmig up`, interrupt it ($mode), check, recover, check.
sub iteration
{
	my ($mode, $n) = @_;
	my $what = "$mode $n";

	($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, 'down', 'r1_log');
	is($rc, 0, "$what: back to r1_log") or diag("$out\n$err");
	my $s = catalog_state();
	is("$s->{applied}|$s->{oid}|$s->{leases}", 'r1_log||0',
		"$what: only r1_log recorded, no index, no lease (applied|index oid|leases)");

	my ($o, $e) = ('', '');
	my $h = pgmig_start($node, 'postgres', \$o, \$e, '--dir', $dir, 'up');
	my $pid = cic_pid(30);
	ok(defined $pid, "$what: the client's CIC started") or do { diag("$o\n$e"); $h->kill_kill; return };
	my ($delay, $ph, $holder) = (0, '');
	if ($mode =~ /after build/)
	{
		# Hold the project lock: the build completes, mig_finish_nontx waits.
		$holder = $node->background_psql('postgres');
		$holder->query_safe("SELECT pg_advisory_lock($lock_class, hashtext('default'))");
		my $t0 = time();
		ok( wait_for_query(
				$node, 'postgres',
				"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $pid AND locktype = 'advisory' AND NOT granted)",
				60),
			"$what: the build completed and mig_finish_nontx waits for the project lock");
		$delay = time() - $t0;
		$ph = 'built, mig_finish_nontx waiting';
	}
	else
	{
		$delay = rand(1.1 * $cic_seconds);
		sleep($delay);
		$ph = $node->safe_psql('postgres',
			"SELECT coalesce((SELECT phase FROM pg_stat_progress_create_index WHERE pid = $pid), 'no build running')");
	}
	$phase{$ph}++;

	my $client_rc;
	if ($mode =~ /^stop/)
	{
		$node->stop('immediate');
		$client_rc = finish_within($h, 60);
		eval { $holder->quit } if $holder;
		my $t0 = time();
		$node->start;
		push @restart, time() - $t0;
	}
	else
	{
		my $sent = $node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
		if ($holder)
		{
			$holder->query_safe("SELECT pg_advisory_unlock($lock_class, hashtext('default'))");
			$holder->quit;
		}
		$client_rc = finish_within($h, 60);
		if ($mode eq 'cancel after build')
		{
			is($client_rc, 1, "$what: the client reports the cancelled mig_finish_nontx and exits 1")
			  or diag("$o\n$e");
		}
		elsif ($e =~ /error: \S*r2_big_v_idx\.sql: revision "r2_big_v_idx": canceling statement due to user request/)
		{
			is($client_rc, 1, "$what: the client reports the cancelled CIC and exits 1")
			  or diag("$o\n$e");
			my $after = catalog_state();
			is("$after->{oid}|$after->{leases}", '|0',
				"$what: the client cleaned up (expected no index and no lease, saw index oid '$after->{oid}', $after->{leases} lease(s))"
			);
		}
		note("$what: pg_cancel_backend returned $sent");
	}
	ok(defined $client_rc, "$what: the interrupted client ended within 60 s") or diag("$o\n$e");
	note(sprintf("%s: interrupted %.2f s after the CIC showed (%s); client exit %s",
			$what, $delay, $ph, $client_rc // 'killed'));

	# Leases of a dead backend are stale; the client's backend may take a moment to go.
	ok(wait_for_query($node, 'postgres', 'SELECT NOT EXISTS (SELECT 1 FROM pgmig.mig_lease() WHERE alive)', 30),
		"$what: no lease with a live backend");

	$s = catalog_state();
	my $bad = ($s->{r2} && $s->{valid} ne 'true') ? 1 : 0;
	$figure{recorded_bad_index} += $bad;
	is($bad, 0,
		"$what: r2 is not recorded with an INVALID or missing index (recorded $s->{r2}, index oid '$s->{oid}', valid and ready '$s->{valid}')"
	);
	ok(!$s->{r3} || $s->{r2}, "$what: r3 recorded only after r2 (applied: $s->{applied})");
	my $kind =
	    $s->{r2}            ? 'recorded'
	  : $s->{oid} eq ''     ? 'no index'
	  : $s->{valid} eq 'true' ? 'valid, not recorded'
	  :                       'INVALID index';
	$outcome{$mode}{$kind}++;
	note("$what: after the interruption: $kind; applied $s->{applied}; leases $s->{leases}");

	# Recovery: the next `pgmig up`, no manual step.
	my $t0 = time();
	($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $dir, '--wait', '30s', 'up');
	push @recover, time() - $t0;
	$figure{recoveries}++;
	my $ok = is($rc, 0, "$what: the next up recovers and completes (exit code)");
	diag("$out\n$err") unless $ok;
	my $r = catalog_state();
	$ok &= is($r->{applied}, 'r1_log,r2_big_v_idx,r3_after', "$what: all three recorded");
	$ok &= is($r->{valid}, 'true', "$what: the index is valid and ready");
	$ok &= is($r->{r3_rows}, 1, "$what: r3's body ran exactly once");
	$ok &= is($r->{leases}, 0, "$what: no lease left");
	if ($s->{valid} eq 'true')
	{
		$ok &= is($r->{oid}, $s->{oid},
			"$what: the index built before the interruption was kept, not built again");
		$figure{not_rebuilt}++ if $r->{oid} eq $s->{oid};
	}
	if ($mode =~ /after build/)
	{
		is($kind, 'valid, not recorded', "$what: the interruption left a valid index, not recorded");
	}
	if ($mode =~ /^stop/ && $kind eq 'INVALID index')
	{
		$ok &= is($r->{repairs}, $s->{repairs} + 1,
			"$what: the dropped INVALID index is in the history as a repair");
	}
	if ($r->{oid} ne '')
	{
		my ($cr, $cout, $cerr) = $node->psql('postgres',
			"SELECT bt_index_check('big_v_idx'::regclass, true)");
		$ok &= is($cr, 0, "$what: amcheck (heapallindexed) passes on the index") or diag($cerr);
	}
	$figure{recoveries_ok}++ if $ok;
	return;
}

my $held_iterations = int(($iterations + 2) / 3);
for my $n (1 .. $iterations)
{
	iteration($_, $n) for ('stop', 'cancel');
	iteration($_, $n) for $n <= $held_iterations ? ('stop after build', 'cancel after build') : ();
}

# The figures, for scripts/stress.sh and docs/stress.md.
sub median
{
	my @v = sort { $a <=> $b } @_;
	return @v ? $v[ int($#v / 2) ] : 0;
}
diag("figure: nontx_iterations_per_mode = $iterations");
diag("figure: nontx_recorded_with_invalid_or_missing_index = $figure{recorded_bad_index}");
diag("figure: nontx_recoveries_ok = $figure{recoveries_ok}/$figure{recoveries}");
diag("figure: nontx_completed_builds_recorded_not_rebuilt = $figure{not_rebuilt}");
diag("figure: nontx_after_build_iterations_per_mode = $held_iterations");
for my $mode ('stop', 'cancel', 'stop after build', 'cancel after build')
{
	(my $name = $mode) =~ s/ /_/g;
	diag("figure: nontx_${name}_outcomes = "
		  . join(', ', map { "$_: $outcome{$mode}{$_}" } sort keys %{ $outcome{$mode} || {} }));
}
diag('figure: nontx_phase_at_interruption = ' . join(', ', map { "$_: $phase{$_}" } sort keys %phase));
diag(sprintf('figure: nontx_restart_seconds_median = %.2f', median(@restart)));
diag(sprintf('figure: nontx_recovery_up_seconds_median = %.2f', median(@recover)));

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|deadlock detected/, 'no backend terminated by a signal, no deadlock');
done_testing();
