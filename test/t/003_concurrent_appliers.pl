# 003_concurrent_appliers.pl — threats A1 and A2: many appliers at once.
#
# 16 psql clients are released together (they wait on a gate lock first) on
# a 200-revision chain whose every body inserts one row into exec_log.  Half
# call mig_apply('head') once; half walk the chain in steps of 5
# (mig_apply('r5'), mig_apply('r10'), ... mig_apply('r200')).  Explicit
# targets rather than '+5': '+5' is refused (PM008) when fewer than 5 are
# pending, which a concurrent head applier makes a normal outcome.
# Asserted for each round (one project each; PGMIG_CONCURRENCY_ROUNDS rounds,
# default 3; `make stress`: 50):
#   - every client exits 0 with nothing on stderr (no error, no warning);
#   - the revisions the clients report as applied add up to 200;
#   - exec_log has 200 rows, one per revision (no body ran twice);
#   - pgmig.applied has 200 rows and pgmig.event exactly 200 apply events;
#   - no advisory lock is left.
# Then A2: appliers under REPEATABLE READ and SERIALIZABLE are all refused
# with PM032 and run nothing.  Figures (duplicate and missing body
# executions over all rounds, calls, refusals, round times) are printed as
# "# figure: name = value" lines (scripts/stress.sh collects them).
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $clients   = 16;
my $revisions = 200;
my $gate_key  = 4242;
my $rounds    = $ENV{PGMIG_CONCURRENCY_ROUNDS} // 3;

my $node = PostgreSQL::Test::Cluster->new('appliers');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pgmig;
CREATE TABLE exec_log (project text NOT NULL, rev text NOT NULL);
});

sub upload_chain
{
	my ($proj, $from, $to) = @_;
	return $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM pgmig.mig_upload_batch(
	(SELECT jsonb_agg(jsonb_build_object(
		'revision', 'r' || i,
		'up', format('INSERT INTO exec_log VALUES (%L, %L)', '$proj', 'r' || i),
		'parents', CASE WHEN i > 1 THEN jsonb_build_array('r' || (i - 1)) ELSE '[]'::jsonb END) ORDER BY i)
	   FROM generate_series($from, $to) i),
	project => '$proj')});
}

# Starts one psql per script, all held at the gate until every one of them
# waits there, then releases them; returns [exit code, stdout, stderr] each.
sub run_released_together
{
	my ($pgoptions, @scripts) = @_;
	my $gate = $node->background_psql('postgres');
	$gate->query_safe("SELECT pg_advisory_lock($gate_key)");

	my (@h, @out, @err);
	local $ENV{PGOPTIONS} = $pgoptions;
	for my $i (0 .. $#scripts)
	{
		my $file = "$tmp/client$i.sql";
		open my $fh, '>', $file or die "$file: $!";
		print $fh "SELECT pg_advisory_lock_shared($gate_key) IS NULL;\n"
		  . "SELECT pg_advisory_unlock_shared($gate_key) IS NULL;\n"
		  . $scripts[$i];
		close $fh;
		($out[$i], $err[$i]) = ('', '');
		push @h,
		  IPC::Run::start(
			[
				'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1',
				'-v', 'VERBOSITY=verbose',
				'-d', $node->connstr('postgres'), '-f', $file
			],
			'>', \$out[$i], '2>', \$err[$i]);
	}
	$node->poll_query_until('postgres',
		"SELECT count(*) = " . scalar(@scripts)
		  . " FROM pg_locks WHERE locktype = 'advisory' AND objid = $gate_key AND objsubid = 1 AND NOT granted"
	) or die 'the clients did not reach the gate';
	$gate->query_safe("SELECT pg_advisory_unlock($gate_key)");
	$gate->quit;

	my @result;
	for my $i (0 .. $#h)
	{
		$h[$i]->finish;
		push @result, [ $h[$i]->result(0), $out[$i], $err[$i] ];
	}
	return @result;
}

my %figure = (duplicates => 0, missing => 0, calls => 0, failed_clients => 0, noisy_clients => 0);
my @round_seconds;
for my $round (1 .. $rounds)
{
	my $proj = "round$round";
	is(upload_chain($proj, 1, $revisions), $revisions, "$proj: uploaded");

	my @scripts;
	for my $c (1 .. $clients)
	{
		if ($c % 2)
		{
			push @scripts, "SELECT count(*) FROM pgmig.mig_apply('head', '$proj');\n";
		}
		else
		{
			push @scripts, join '',
			  map { "SELECT count(*) FROM pgmig.mig_apply('r$_', '$proj');\n" }
			  grep { $_ % 5 == 0 } 1 .. $revisions;
		}
	}
	$figure{calls} += () = join('', @scripts) =~ /mig_apply/g;
	my $started = time();
	my @result = run_released_together('-c client_min_messages=warning', @scripts);
	push @round_seconds, time() - $started;
	note(sprintf('%s: %d clients finished in %.2f s', $proj, $clients, $round_seconds[-1]));

	my ($failed, $noisy, $reported) = (0, 0, 0);
	my @by_client;
	for my $r (@result)
	{
		my ($rc, $out, $err) = @$r;
		$failed++ if $rc != 0;
		if ($err ne '')
		{
			$noisy++;
			diag("client stderr: $err");
		}
		# the first two lines are the gate's
		my @counts = (split /\n/, $out)[ 2 .. 1000 ];
		my $sum = 0;
		$sum += $_ for grep { defined } @counts;
		push @by_client, $sum;
		$reported += $sum;
	}
	note("$proj: revisions applied per client: @by_client");
	$figure{failed_clients} += $failed;
	$figure{noisy_clients}  += $noisy;
	is($failed, 0, "$proj: every client exited 0");
	is($noisy,  0, "$proj: no client printed an error or warning");
	is($reported, $revisions,
		"$proj: the clients reported $revisions applied revisions in all");

	my ($executions, $distinct) = split /\|/, $node->safe_psql(
		'postgres',
		"SELECT count(*), count(DISTINCT rev) FROM exec_log WHERE project = '$proj'");
	$figure{duplicates} += $executions - $distinct;
	$figure{missing}    += $revisions - $distinct;
	is("$executions|$distinct", "$revisions|$revisions",
		"$proj: exec_log has one row per revision (no body ran twice, none skipped; executions|distinct)");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM pgmig.applied WHERE project = '$proj' AND how = 'apply'"),
		$revisions,
		"$proj: pgmig.applied has every revision");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*), count(DISTINCT revision) FROM pgmig.event WHERE project = '$proj' AND kind = 'apply'"
		),
		"$revisions|$revisions",
		"$proj: exactly one apply event per revision");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM pgmig.event WHERE project = '$proj' AND kind = 'failure'"),
		'0',
		"$proj: no failure event");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
		'0',
		"$proj: no advisory lock left");
}

# A2: a transaction snapshot is refused, concurrently too, and nothing runs.
is(upload_chain('round1', $revisions + 1, $revisions + 50),
	50, 'round1: 50 more revisions uploaded');
my $before = $node->safe_psql('postgres', 'SELECT count(*) FROM exec_log');
for my $level ('repeatable read', 'serializable')
{
	my @result = run_released_together(
		"-c client_min_messages=warning -c default_transaction_isolation=" . ($level =~ s/ /\\ /r),
		("SELECT count(*) FROM pgmig.mig_apply('head', 'round1');\n") x 8);
	my $refused = grep {
		$_->[0] != 0
		  && $_->[2] =~ /ERROR:  PM032: pgmig\.mig_apply cannot run in a REPEATABLE READ or SERIALIZABLE transaction/
	} @result;
	is($refused, 8, "$level: all 8 appliers refused with PM032");
	(my $name = $level) =~ s/ /_/;
	diag("figure: concurrency_${name}_refused = $refused/8");
}
my $after = $node->safe_psql('postgres', 'SELECT count(*) FROM exec_log');
diag('figure: concurrency_rr_serializable_body_executions = ' . ($after - $before));
is($after, $before, 'the refused appliers ran no body');
is( $node->safe_psql(
		'postgres',
		"SELECT applied, pending FROM pgmig.mig_status('round1')"),
	"$revisions|50",
	'and applied nothing');

# The figures, for scripts/stress.sh and docs/stress.md.
my @sorted = sort { $a <=> $b } @round_seconds;
diag("figure: concurrency_rounds = $rounds");
diag("figure: concurrency_clients = $clients");
diag("figure: concurrency_revisions_per_round = $revisions");
diag("figure: concurrency_apply_calls = $figure{calls}");
diag("figure: concurrency_duplicate_executions = $figure{duplicates}");
diag("figure: concurrency_missing_executions = $figure{missing}");
diag("figure: concurrency_failed_clients = $figure{failed_clients}");
diag("figure: concurrency_clients_with_stderr = $figure{noisy_clients}");
diag(sprintf('figure: concurrency_round_seconds_median = %.2f', $sorted[ int($#sorted / 2) ]));
diag(sprintf('figure: concurrency_round_seconds_max = %.2f', $sorted[-1]));

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend terminated by a signal');
done_testing();
