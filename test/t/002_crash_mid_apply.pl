# 002_crash_mid_apply.pl — threat B1: a server crash in the middle of an apply
# never leaves a partial revision.
#
# A 200-revision chain; every body creates a table, fills it with 100 rows and
# sleeps 10 ms.  Four psql clients apply it at once, either each with one
# mig_apply('head') call (one transaction; one of them runs, the others wait
# for the project lock) or each with mig_apply('+1') in a loop (one revision
# per transaction, the four interleaving).  A random 0.1-0.9 s after all four
# are calling mig_apply (the whole chain needs at least 2 s) the server is
# stopped with stop('immediate') and started again.  Then:
#   - every client lost its connection to the stop and reported nothing else;
#   - a revision is recorded in pgmig.applied  <=>  its table exists, so
#     revision rows = objects created; every table holds all of its 100 rows;
#   - the tables form a prefix c1..ck of the chain, and the applied set, the
#     applied heads and the pending list (mig_status) and the heads
#     (mig_heads) equal those of a reference model computed from k;
#   - the applied set is closed under parents, and has one apply event each;
#   - the one-call variant applied all or nothing;
#   - no advisory lock is held;
#   - amcheck (bt_index_check with heapallindexed, and bt_index_parent_check)
#     passes on every index of every pgmig catalog table, their TOAST indexes
#     included, and bt_index_check on every btree index of pg_catalog;
# and a new mig_apply completes the rest, after which the same holds.
#
# PGMIG_CRASH_ITERATIONS (default 5, the issue's short form; `make stress`:
# 200) and PGMIG_SEED override the defaults.  Figures are printed as
# "# figure: name = value" lines (scripts/stress.sh collects them).
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $revisions  = 200;
my $clients    = 4;
my $iterations = $ENV{PGMIG_CRASH_ITERATIONS} // 5;
my $seed       = $ENV{PGMIG_SEED} // int(time());
srand($seed);
note("seed $seed (set PGMIG_SEED to repeat the same stop times)");

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pgmig;
CREATE EXTENSION amcheck;
CREATE FUNCTION rows_in(rel regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s', rel) INTO n;
	RETURN n;
END
$$;
});

# Uploads the chain c1..c200 of project $proj; table of cN: ${proj}_t_N.
sub upload_chain
{
	my ($proj) = @_;
	my $n = $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM pgmig.mig_upload_batch(
	(SELECT jsonb_agg(jsonb_build_object(
		'revision', 'c' || i,
		'up', format('CREATE TABLE %1\$s_t_%2\$s (a int); INSERT INTO %1\$s_t_%2\$s SELECT generate_series(1, 100); SELECT pg_sleep(0.01)', '$proj', i),
		'parents', CASE WHEN i > 1 THEN jsonb_build_array('c' || (i - 1)) ELSE '[]'::jsonb END) ORDER BY i)
	   FROM generate_series(1, $revisions) i),
	project => '$proj')});
	is($n, $revisions, "$proj: uploaded $revisions revisions");
	return;
}

# Every index of every pgmig catalog table, those of their TOAST tables included.
my $catalog_indexes = q{
SELECT i.indexrelid
  FROM pg_index i
  JOIN pg_class t ON t.oid = i.indrelid
 WHERE t.relnamespace = 'pgmig'::regnamespace
    OR t.oid IN (SELECT reltoastrelid FROM pg_class
                  WHERE relnamespace = 'pgmig'::regnamespace AND reltoastrelid <> 0)};
my $expected_indexes = $node->safe_psql('postgres', "SELECT count(*) FROM ($catalog_indexes) x");

# Runs amcheck on those (bt_index_check with heapallindexed, and
# bt_index_parent_check) and bt_index_check on every btree index of
# pg_catalog; asserts no complaint and that every index was checked.
sub amcheck
{
	my ($label) = @_;
	my ($rc, $out, $err) = $node->psql(
		'postgres', qq{
SELECT count(bt_index_check(indexrelid, true)), count(bt_index_parent_check(indexrelid, true))
  FROM ($catalog_indexes) x;
SELECT count(bt_index_check(c.oid))
  FROM pg_class c JOIN pg_am a ON a.oid = c.relam
 WHERE c.relkind = 'i' AND a.amname = 'btree' AND c.relnamespace = 'pg_catalog'::regnamespace;});
	my ($pgmig_line, $system) = split /\n/, $out;
	is($rc, 0, "$label: amcheck reports no corruption") or diag("amcheck: $err");
	is($pgmig_line // '', "$expected_indexes|$expected_indexes",
		"$label: amcheck ran on all $expected_indexes pgmig catalog indexes (both checks)");
	cmp_ok($system // 0, '>', 100, "$label: and on the btree indexes of pg_catalog (" . ($system // 0) . ')');
	return;
}

# The reference model: after k revisions of the chain, what mig_status and
# mig_heads must say ("applied heads | heads | applied | pending | pending list").
sub model
{
	my ($k) = @_;
	return join('|',
		$k ? "{c$k}" : '{}',
		"{c$revisions}", $k, $revisions - $k,
		$k < $revisions ? '{' . join(',', map { "c$_" } $k + 1 .. $revisions) . '}' : '{}',
		"c$revisions " . ($k == $revisions ? 'true' : 'false'));
}

# Checks the invariants of project $proj; returns the number applied.
sub check_consistent
{
	my ($proj, $label) = @_;
	my $r = $node->safe_psql(
		'postgres', qq{
WITH app AS (SELECT revision, substr(revision, 2)::int AS n FROM pgmig.applied WHERE project = '$proj'),
     tabs AS (SELECT c.oid::regclass AS rel, substring(c.relname from '^${proj}_t_([0-9]+)\$')::int AS n
                FROM pg_class c
               WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
                 AND c.relname ~ '^${proj}_t_[0-9]+\$')
SELECT (SELECT count(*) FROM app),
       (SELECT count(*) FROM tabs),
       (SELECT coalesce(max(n), 0) FROM tabs),
       (SELECT count(*) FROM app WHERE NOT EXISTS (SELECT 1 FROM tabs WHERE tabs.n = app.n)),
       (SELECT count(*) FROM tabs WHERE NOT EXISTS (SELECT 1 FROM app WHERE app.n = tabs.n)),
       (SELECT count(*) FROM tabs WHERE rows_in(rel) <> 100),
       (SELECT count(*) FROM pgmig.applied a JOIN pgmig.revision r USING (project, revision)
         WHERE a.project = '$proj'
           AND EXISTS (SELECT 1 FROM unnest(r.parents) p
                        WHERE NOT EXISTS (SELECT 1 FROM pgmig.applied a2
                                           WHERE a2.project = a.project AND a2.revision = p))),
       (SELECT count(*) FROM pgmig.event WHERE project = '$proj' AND kind = 'apply'),
       (SELECT count(DISTINCT revision) FROM pgmig.event WHERE project = '$proj' AND kind = 'apply'),
       (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')});
	my ($applied, $tables, $max_table, $no_table, $no_row, $bad_rows, $orphans, $events,
		$event_revs, $advisory)
	  = split /\|/, $r;
	note("$label: applied $applied, tables $tables");
	is($no_table, 0, "$label: every applied revision has its table");
	is($no_row,   0, "$label: every table has its applied revision");
	is($tables, $applied, "$label: as many tables as applied revisions");
	is($bad_rows, 0,      "$label: every table holds its 100 rows");
	is($max_table, $tables, "$label: the tables are a prefix of the chain (c1..c$tables)");
	is($orphans,  0,      "$label: applied set closed under parents");
	is($events, $applied, "$label: one apply event per applied revision");
	is($event_revs, $applied, "$label: apply events name distinct revisions");
	is($advisory, 0, "$label: no advisory lock held");

	# The model, from the objects that exist (k = tables), against the catalog's answers.
	my $seen = $node->safe_psql(
		'postgres', qq{
SELECT s.current, s.heads, s.applied, s.pending, s.pending_revisions,
       (SELECT string_agg(h.revision || ' ' || h.applied, ',') FROM pgmig.mig_heads('$proj') h)
  FROM pgmig.mig_status('$proj') s});
	my $model = model($tables);
	ok($seen eq $model, "$label: applied heads, heads, counts and pending list equal the model of c1..c$tables")
	  or diag("expected: " . substr($model, 0, 200) . "...\nseen:     " . substr($seen, 0, 200) . '...');

	amcheck($label);
	return $applied;
}

my %measured;
my (@restart, @at_crash);
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $failed_iterations = 0;
for my $iter (1 .. $iterations)
{
	my $first_test = Test::More->builder->current_test;
	my $variant = $iter % 2 ? 'one call' : 'one per transaction';
	my $proj    = "p$iter";
	upload_chain($proj);

	my $sql =
	  $variant eq 'one call'
	  ? "SELECT count(*) FROM pgmig.mig_apply('head', '$proj');\n"
	  : "SELECT count(*) FROM pgmig.mig_apply('+1', '$proj');\n" x $revisions;
	# All clients start together: each script first waits for a shared
	# advisory lock that the gate holds until every client is connected.
	# (Without it, a client that connects late on a loaded machine found the
	# stepwise chain already applied by the others.)
	$sql = "SELECT pg_advisory_lock_shared(4242);\nSELECT pg_advisory_unlock_shared(4242);\n" . $sql;
	my $gate = $node->background_psql('postgres');
	$gate->query_safe('SELECT pg_advisory_lock(4242)');
	# A file, not stdin: IPC::Run feeds stdin only while it is pumped.
	my $script = "$tmp/$proj.sql";
	open my $fh, '>', $script or die "$script: $!";
	print $fh $sql;
	close $fh;
	my (@h, @out, @err);
	for my $c (0 .. $clients - 1)
	{
		($out[$c], $err[$c]) = ('', '');
		push @h,
		  IPC::Run::start(
			[
				'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
				'-d', $node->connstr('postgres'),
				'-c', 'SET client_min_messages = warning', '-f', $script
			],
			'>', \$out[$c], '2>', \$err[$c]);
	}

	ok( $node->poll_query_until(
			'postgres',
			"SELECT count(*) >= $clients FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = 4242 AND objsubid = 1 AND NOT granted"
		),
		"$proj: all $clients clients are connected");
	$gate->query_safe('SELECT pg_advisory_unlock(4242)');
	$gate->quit;

	# The delay counts from the moment all clients are connected and calling.
	ok( $node->poll_query_until(
			'postgres',
			"SELECT count(*) >= $clients FROM pg_stat_activity WHERE query LIKE '%pgmig.mig_apply(%' AND pid <> pg_backend_pid()"
		),
		"$proj: all $clients clients are applying");
	my $delay = 0.1 + rand(0.8);
	select(undef, undef, undef, $delay);
	$node->stop('immediate');
	$_->finish for @h;
	my $t0 = time();
	$node->start;
	push @restart, time() - $t0;
	# A client between two calls when the server stops learns it at its next
	# statement: "no connection to the server", "connection to server was
	# lost" (more often since each call records only what it touched).
	my $interrupted = grep {
		$_ =~ /terminating connection|server closed the connection|connection to server was lost/
		  && $_ !~ /ERROR:/
	} @err;
	is($interrupted, $clients, "$proj: the stop interrupted all $clients clients, and nothing else went wrong")
	  or diag(join("\n---\n", @err));
	my @lines = map { /\.sql:(\d+): / ? $1 : '?' } @err;
	note(sprintf("%s (%s): stopped after %.2f s, during statements %s of the script",
			$proj, $variant, $delay, join(',', @lines)));

	my $applied = check_consistent($proj, "$proj ($variant) after crash");
	if ($variant eq 'one call')
	{
		ok($applied == 0 || $applied == $revisions,
			"$proj: a single call applied all or nothing (expected 0 or $revisions, saw $applied)");
	}
	else
	{
		cmp_ok($applied, '<', $revisions,
			"$proj: the crash interrupted the stepwise apply ($applied applied)");
	}
	push @{ $measured{$variant} }, sprintf('%.2fs->%d', $delay, $applied);
	push @at_crash, $applied;

	my $rest = $node->safe_psql('postgres',
		"SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_apply('head', '$proj')"
	);
	is($rest, $revisions - $applied, "$proj: mig_apply applied the remaining revisions");
	is(check_consistent($proj, "$proj after completion"),
		$revisions, "$proj: all $revisions applied in the end");
	my @passed = (Test::More->builder->summary)[ $first_test .. Test::More->builder->current_test - 1 ];
	$failed_iterations++ if grep { !$_ } @passed;
}

note("measured (stop delay -> applied at the crash): "
	  . join('; ', map { "$_: @{$measured{$_}}" } sort keys %measured));

# The figures, for scripts/stress.sh and docs/stress.md.
my @sorted = sort { $a <=> $b } @restart;
diag("figure: crash_iterations = $iterations");
diag("figure: crash_clients = $clients");
diag('figure: crash_consistent = ' . ($iterations - $failed_iterations) . "/$iterations");
diag("figure: crash_amcheck_pgmig_indexes = $expected_indexes");
diag(sprintf('figure: crash_restart_seconds_median = %.2f', $sorted[ int($#sorted / 2) ]));
diag(sprintf('figure: crash_restart_seconds_max = %.2f', $sorted[-1]));
for my $variant (sort keys %measured)
{
	my @n = sort { $a <=> $b } map { (split /->/)[1] } @{ $measured{$variant} };
	(my $name = $variant) =~ s/ /_/g;
	diag("figure: crash_applied_at_crash_$name = "
		  . sprintf('%d runs; none: %d, all: %d, min %d, median %d, max %d',
			scalar(@n), scalar(grep { $_ == 0 } @n), scalar(grep { $_ == $revisions } @n),
			$n[0], $n[ int($#n / 2) ], $n[-1]));
}

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend terminated by a signal');
done_testing();
