# 002_crash_mid_apply.pl — threat B1: a server crash in the middle of an apply
# never leaves a partial revision.
#
# A 200-revision chain; every body creates a table, fills it with 100 rows and
# sleeps 10 ms.  An apply runs in the background, either as one mig_apply call
# (one transaction) or one revision per transaction (mig_apply('+1') in
# autocommit).  After a random 0.2-0.8 s the server is stopped with
# stop('immediate') and started again.  Then:
#   - a revision is recorded in pgmig.applied  <=>  its table exists;
#   - every existing table holds all of its 100 rows;
#   - the applied set is closed under parents, and has one apply event each;
#   - a single call applied all or nothing;
#   - no advisory lock is held; the catalog indexes pass amcheck;
# and a new mig_apply completes the rest, after which the same holds.
#
# PGMIG_CRASH_ITERATIONS (default 6) and PGMIG_SEED override the defaults.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $revisions  = 200;
my $iterations = $ENV{PGMIG_CRASH_ITERATIONS} // 6;
my $seed       = $ENV{PGMIG_SEED} // time();
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
       (SELECT pending FROM pgmig.mig_status('$proj')),
       (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')});
	my ($applied, $tables, $no_table, $no_row, $bad_rows, $orphans, $events,
		$event_revs, $pending, $advisory)
	  = split /\|/, $r;
	note("$label: applied $applied, tables $tables");
	is($no_table, 0, "$label: every applied revision has its table");
	is($no_row,   0, "$label: every table has its applied revision");
	is($tables, $applied, "$label: as many tables as applied revisions");
	is($bad_rows, 0,      "$label: every table holds its 100 rows");
	is($orphans,  0,      "$label: applied set closed under parents");
	is($events, $applied, "$label: one apply event per applied revision");
	is($event_revs, $applied, "$label: apply events name distinct revisions");
	is($pending, $revisions - $applied, "$label: mig_status pending agrees");
	is($advisory, 0, "$label: no advisory lock held");
	# amcheck on every catalog index (errors out on corruption).
	$node->safe_psql(
		'postgres', q{
SELECT count(bt_index_check(c.oid, true))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = 'pgmig'::regnamespace});
	return $applied;
}

my %measured;
my $tmp = PostgreSQL::Test::Utils::tempdir;
for my $iter (1 .. $iterations)
{
	my $variant = $iter % 2 ? 'one call' : 'one per transaction';
	my $proj    = "p$iter";
	upload_chain($proj);

	my $sql =
	  $variant eq 'one call'
	  ? "SELECT count(*) FROM pgmig.mig_apply('head', '$proj');\n"
	  : "SELECT count(*) FROM pgmig.mig_apply('+1', '$proj');\n" x $revisions;
	# A file, not stdin: IPC::Run feeds stdin only while it is pumped.
	my $script = "$tmp/$proj.sql";
	open my $fh, '>', $script or die "$script: $!";
	print $fh $sql;
	close $fh;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
			'-d', $node->connstr('postgres'),
			'-c', 'SET client_min_messages = warning', '-f', $script
		],
		'>', \$out, '2>', \$err);

	my $delay = 0.2 + rand(0.6);
	select(undef, undef, undef, $delay);
	$node->stop('immediate');
	$h->finish;
	my ($line) = $err =~ /\.sql:(\d+): /;
	like($err, qr/terminating connection|server closed the connection/,
		"$proj: the stop interrupted a running mig_apply");
	note(sprintf("%s (%s): stopped after %.2f s, during statement %s of the script",
			$proj, $variant, $delay, $line // '?'));
	$node->start;

	my $applied = check_consistent($proj, "$proj ($variant) after crash");
	if ($variant eq 'one call')
	{
		ok($applied == 0 || $applied == $revisions,
			"$proj: a single call applied all or nothing ($applied)");
	}
	else
	{
		cmp_ok($applied, '<', $revisions,
			"$proj: the crash interrupted the stepwise apply ($applied applied)");
	}
	push @{ $measured{$variant} }, sprintf('%.2fs->%d', $delay, $applied);

	my $rest = $node->safe_psql('postgres',
		"SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_apply('head', '$proj')"
	);
	is($rest, $revisions - $applied, "$proj: mig_apply applied the remaining revisions");
	is(check_consistent($proj, "$proj after completion"),
		$revisions, "$proj: all $revisions applied in the end");
}

note("measured (stop delay -> applied at the crash): "
	  . join('; ', map { "$_: @{$measured{$_}}" } sort keys %measured));

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend terminated by a signal');
done_testing();
