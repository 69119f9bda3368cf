# 025_client_pushed.pl — the client applies exactly the bodies it pushed
# (issue 14, items 5 and 6), and refuses targets that go the wrong way.
#
# 1. Release race.  Release "new" has pushed r2; its `pgmig up` starts, finds
#    the folder in sync and r2 pending, and waits for the project lock (a
#    second session holds it).  Meanwhile release "old" pushes its own r2 body
#    (mig_upload ... replace => true, in the session holding the lock, which
#    then commits).  The new client's step carries the checksums it pushed
#    (mig_apply's `expected`): the server refuses (PM023) naming both
#    checksums, nothing of either body runs, the client exits 1.  Running
#    "new" again pushes its body back and applies it.
# 2. Relative targets stay within the folder.  An old release's folder lacks
#    r4 and r5, which a newer one pushed: `up +1` there applies the old
#    folder's next revision, never a newer one; with nothing of the folder
#    pending it has nothing to apply (exit 0); `up +N` with fewer than N of the
#    folder pending is refused; `up r5` (not in the folder) is refused by the
#    server (PM023).
# 3. `pgmig up -2` and `pgmig down +2` are usage errors (exit 2); `pgmig down
#    r5` of a pending r5 is refused (PM009), nothing run.
# 4. The race without a lock holder to time it: PGMIG_RELEASE_RACE_ROUNDS
#    rounds (default 3; `make stress` runs 100), each a project of its own
#    whose four revisions two releases write differently; both run `pgmig up`
#    at once, twice each (their first revision is the same in both, so that
#    a push after the other's first step still replaces the rest).
#    Whatever the interleaving: every "applied qN" a
#    client prints ran that client's body (its table exists, the other's
#    does not, the recorded checksum is the stored body's); a client that
#    exits 0 leaves every revision of its folder applied with its own body;
#    a client that exits non-zero says PM021 (its body differs from one the
#    other release applied) or PM023 (the other release replaced a body
#    after this one pushed).
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('pushed');
$node->init;
$node->start;
my $db = 'postgres';
my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err) = pgmig($node, $db, 'init');
is($rc, 0, 'init') or diag $err;

# 1. Release race.
my ($new, $old) = ("$tmp/new", "$tmp/old");
for my $d ($new, $old)
{
	write_migration($d, 'r1', [], 'CREATE TABLE a (id int);', 'DROP TABLE a;');
}
write_migration($new, 'r2', ['r1'], 'CREATE TABLE b_new (id int);', 'DROP TABLE b_new;');
write_migration($old, 'r2', ['r1'], 'CREATE TABLE b_old (id int);', 'DROP TABLE b_old;');
($rc, $out, $err) = pgmig($node, $db, '--dir', $new, 'up', 'r1');
is($rc, 0, 'r1 applied') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $new, 'push');
is($rc, 0, 'release new pushed r2') or diag $err;

my ($hin, $hout, $herr) =
  ("BEGIN;\nSELECT 'locked' FROM pg_advisory_xact_lock(1885826407, hashtext('default'));\n", '', '');
my $holder = IPC::Run::start([ 'psql', '-X', '-At', '-h', $node->host, '-p', $node->port, '-d', $db ],
	'<', \$hin, '>', \$hout, '2>', \$herr);
$holder->pump until $hout =~ /locked/;
my ($cout, $cerr) = ('', '');
my $h = pgmig_start($node, $db, \$cout, \$cerr, '--dir', $new, 'up');
ok(wait_for_query($node, $db, q{SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = 1885826407::oid AND a.query LIKE '%mig_apply%')}),
	'release new waits for the project lock in its step for r2');
$hin .= "SELECT action FROM pgmig.mig_upload('r2', 'CREATE TABLE b_old (id int);', parents => '{r1}', "
  . "down => 'DROP TABLE b_old;', replace => true);\nCOMMIT;\n";
$holder->finish;
like($hout, qr/replaced/, 'release old replaced r2 meanwhile') or diag $herr;
$h->finish;
is($h->result(0), 1, 'release new exits 1');
like($cerr, qr/revision "r2" is not the one the caller pushed: its stored up body has checksum [0-9a-f]{64}, the caller's has [0-9a-f]{64}/,
	'and says so, naming both checksums') or diag $cerr;
like($cerr, qr/SQLSTATE: PM023/, 'PM023') or diag $cerr;
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.applied WHERE revision = 'r2'} ) . '|'
	. $node->safe_psql($db, q{SELECT to_regclass('b_new') IS NULL AND to_regclass('b_old') IS NULL}),
	'0|t', 'neither body of r2 ran');
($rc, $out, $err) = pgmig($node, $db, '--dir', $new, 'up');
is($rc, 0, 'release new again: pushes its body back and applies it') or diag $err;
is($node->safe_psql($db, q{SELECT to_regclass('b_new') IS NOT NULL AND to_regclass('b_old') IS NULL}), 't',
	'r2 ran with the body of release new');

# 2. Relative targets stay within the folder.
my $newer = "$tmp/newer";
write_migration($newer, 'r1', [], 'CREATE TABLE a (id int);', 'DROP TABLE a;');
write_migration($newer, 'r2', ['r1'], 'CREATE TABLE b_new (id int);', 'DROP TABLE b_new;');
for my $d ($new, $newer)
{
	write_migration($d, 'r3', ['r2'], 'CREATE TABLE c (id int);', 'DROP TABLE c;');
}
write_migration($newer, 'r4', ['r3'], 'CREATE TABLE d (id int);', 'DROP TABLE d;');
write_migration($newer, 'r5', ['r4'], 'CREATE TABLE e (id int);', 'DROP TABLE e;');
($rc, $out, $err) = pgmig($node, $db, '--dir', $newer, 'push');
is($rc, 0, 'a newer release pushed r3, r4 and r5') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $new, 'up', '+2');
is($rc, 1, 'up +2 from a folder with one pending revision is refused') or diag $out;
like($err, qr/only 1 revision of .* is pending \(r3\)/, '... saying how many of the folder are pending') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $new, 'up', '+1');
is($rc, 0, 'up +1 from the older folder') or diag $err;
like($out, qr/applied\s+r3/, 'applies r3, the folder\'s next revision') or diag $out;
is($node->safe_psql($db, q{SELECT string_agg(revision, ',' ORDER BY revision) FROM pgmig.applied}), 'r1,r2,r3',
	'and not r4, which the folder does not have');
($rc, $out, $err) = pgmig($node, $db, '--dir', $new, 'up', '+1');
is($rc, 0, 'up +1 again, with nothing of the folder pending: exit 0') or diag $err;
like($out, qr/nothing to apply/, '... nothing to apply') or diag $out;
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.applied}), '3', 'r4 still not applied');
($rc, $out, $err) = pgmig($node, $db, '--dir', $new, 'up', 'r5');
is($rc, 1, 'up r5 from a folder without r5 is refused') or diag $out;
like($err, qr/revision "r4" is pending towards "r5" but is not one the caller pushed/, '... by the server (PM023)')
  or diag $err;
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.applied}), '3', 'nothing ran');

# 3. Targets that go the wrong way.
($rc, $out, $err) = pgmig($node, $db, '--dir', $newer, 'up', '-2');
is($rc, 2, 'up -2: usage error');
like($err, qr/would go back.*pgmig down -2/s, '... pointing at down -2') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $newer, 'down', '+2');
is($rc, 2, 'down +2: usage error');
like($err, qr/would go forward.*pgmig up \+2/s, '... pointing at up +2') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $newer, 'down', 'r5');
is($rc, 1, 'down r5 (pending): refused');
like($err, qr/downgrade target "r5" is revision "r5", which is not applied/, '... PM009') or diag $err;
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.applied}), '3', 'nothing undone');
($rc, $out, $err) = pgmig($node, $db, '--dir', $newer, 'up');
is($rc, 0, 'the newer release applies the rest') or diag $err;
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.applied}), '5', 'all five applied');

# 4. The race, as it falls.
my $race_rounds = $ENV{PGMIG_RELEASE_RACE_ROUNDS} // 3;
# the table revision qI of release REL creates (q1 is the same in both)
sub race_table
{
	my ($round, $i, $rel) = @_;
	return $i == 1 ? "race${round}_q1_ab" : "race${round}_q${i}_$rel";
}
my %race = (runs => 0, applied_lines => 0, wrong_body => 0, exit0 => 0, exit0_wrong => 0,
	pm021 => 0, pm023 => 0, other_failures => 0, revisions_missing_or_doubled => 0);
for my $round (1 .. $race_rounds)
{
	my $project = "race$round";
	my %dir;
	for my $rel ('a', 'b')
	{
		$dir{$rel} = "$tmp/race$round$rel";
		for my $i (1 .. 4)
		{
			my $table = race_table($round, $i, $rel);
			write_migration($dir{$rel}, "q$i", $i == 1 ? [] : [ 'q' . ($i - 1) ],
				"CREATE TABLE $table (id int);
SELECT pg_sleep(0.01 * $i);", "DROP TABLE $table;");
		}
	}
	my @runs;
	for my $turn (1, 2)
	{
		my @h;
		for my $rel ($round % 2 ? ('a', 'b') : ('b', 'a'))
		{
			my ($o, $e) = ('', '');
			select(undef, undef, undef, rand(0.1));
			push @h, [ pgmig_start($node, $db, \$o, \$e, '--dir', $dir{$rel}, '--project', $project, 'up'),
				\$o, \$e, $rel ];
		}
		for my $r (@h)
		{
			$r->[0]->finish;
			push @runs, [ $r->[0]->result(0), ${ $r->[1] }, ${ $r->[2] }, $r->[3] ];
		}
	}
	my %tables = map { $_ => 1 } split /\n/, $node->safe_psql($db,
		"SELECT relname FROM pg_class WHERE relname LIKE 'race${round}\\_%' AND relkind = 'r'");
	my $recorded = $node->safe_psql($db, qq{SELECT count(*) FROM pgmig.applied a JOIN pgmig.revision r
		USING (project, revision) WHERE a.project = '$project' AND a.checksum <> r.checksum});
	$race{wrong_body}++ if $recorded ne '0';
	for my $i (1 .. 4)
	{
		my %distinct = map { race_table($round, $i, $_) => 1 } ('a', 'b');
		my $n = grep { $tables{$_} } keys %distinct;
		my $applied = $node->safe_psql($db,
			"SELECT count(*) FROM pgmig.applied WHERE project = '$project' AND revision = 'q$i'");
		$race{revisions_missing_or_doubled}++ if $n != $applied;
	}
	for my $r (@runs)
	{
		my ($code, $o, $e, $rel) = @$r;
		$race{runs}++;
		my $other = $rel eq 'a' ? 'b' : 'a';
		for my $i ($o =~ /applied\s+q(\d)/g)
		{
			$race{applied_lines}++;
			my ($mine, $theirs) = (race_table($round, $i, $rel), race_table($round, $i, $other));
			$race{wrong_body}++ unless $tables{$mine} && ($mine eq $theirs || !$tables{$theirs});
		}
		if ($code == 0)
		{
			$race{exit0}++;
			$race{exit0_wrong}++ if grep { !$tables{ race_table($round, $_, $rel) } } 1 .. 4;
		}
		elsif ($e =~ /SQLSTATE: PM021/) { $race{pm021}++; }
		elsif ($e =~ /SQLSTATE: PM023/) { $race{pm023}++; }
		else
		{
			$race{other_failures}++;
			diag "round $round, release $rel exited $code: $e";
		}
	}
}
is($race{wrong_body}, 0, "release race, $race_rounds rounds: every applied revision ran the body its client pushed");
is($race{exit0_wrong}, 0, 'a client that exits 0 leaves its own bodies applied');
is($race{revisions_missing_or_doubled}, 0, 'each applied revision ran exactly one body');
is($race{other_failures}, 0, 'a client that fails says PM021 or PM023');
ok($race{exit0} >= $race_rounds, 'at least one client per round succeeds') or diag explain \%race;
diag "figure: release_race_$_ = $race{$_}" for sort keys %race;

done_testing();
