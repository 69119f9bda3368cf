# 024_boundary_client.pl — nothing a body leaves behind runs as the applier,
# through the client and through PgBouncer (issue 14; boundary.hpp).
#
# The attacks of test/corpus/boundary/attacks.sql (sql/boundary runs them
# from psql over a direct connection) are run here three more ways, one
# database each, with the checks of test/corpus/boundary/harness.sql:
#
#   client:        files pushed with `pgmig push` by the uploader (bnd_mallory,
#                  a LOGIN member of pgmig_deployer, or the superuser for the
#                  attacks on pgmig itself), applied with `pgmig up` by the
#                  superuser, both straight to the server;
#   client_pooled: the same through PgBouncer in transaction mode with one
#                  server connection per user, so the superuser's checks after
#                  the run reach the very server connection the client's
#                  transactions ran on: anything a body left in that session
#                  (a temporary view shadowing accounts, a LISTEN, a prepared
#                  statement, an advisory lock, a setting) shows there;
#   psql_pooled:   mig_upload as the uploader and BEGIN; mig_apply; COMMIT as
#                  the superuser with psql, through the same pooler.
#
# Per attack and way: the outcome is the corpus's `expect` (applied, or
# refused at upload or apply, the client exiting non-zero), no escalation
# (nothing of bnd_mallory's ran as the superuser, bnd_mallory gained no
# attribute), no pgmig row or catalog footprint changed, nothing left in the
# session.  PGMIG_BOUNDARY_ROUNDS (default 1) repeats the whole corpus, each
# round in databases of its own (the attacks' objects have fixed names; make
# stress runs 10).  The figures are printed as "# figure:" lines.
use strict;
use warnings;

use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use PgmigTest;
use PgbouncerNode;

plan skip_all => 'pgbouncer is not installed' unless PgbouncerNode::available();

my $rounds = $ENV{PGMIG_BOUNDARY_ROUNDS} // 1;
my $src = $ENV{PGMIG_SOURCE} // '.';
my $node = PostgreSQL::Test::Cluster->new('boundary');
$node->init;
$node->start;

my @ways = ('client', 'client_pooled', 'psql_pooled');
my $round = 1;
# the database of a way in the current round
sub dbname { return "bnd_$_[0]" . ($round > 1 ? "_r$round" : ''); }
$node->safe_psql('postgres', 'CREATE EXTENSION pgmig');
$node->safe_psql('postgres', 'CREATE ROLE bnd_mallory LOGIN IN ROLE pgmig_deployer');

my $pgb = PgbouncerNode->new($node, pool_mode => 'transaction', pool_size => 1,
	users => [ 'postgres', 'bnd_mallory' ]);
$pgb->start;

# Runs the client as `user`, straight to the server or through the pooler:
# (exit code, stdout, stderr).
sub client
{
	my ($way, $user, @args) = @_;
	my %env = $way eq 'client_pooled' ? $pgb->client_env(dbname($way)) : client_env($node, dbname($way));
	$env{PGUSER} = $user;
	local @ENV{ keys %env } = values %env;
	my ($out, $err) = ('', '');
	IPC::Run::run([ pgmig_bin(), @args ], '<', \undef, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# psql as `user`: through the pooler except for the direct client way, where
# the client's sessions are gone when the checks run.
sub sq
{
	my ($way, $user, $sql) = @_;
	my @cmd = $way eq 'client'
	  ? ('psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port, '-d', dbname($way))
	  : $pgb->psql_cmd(dbname($way));
	my ($out, $err) = ('', '');
	IPC::Run::run([ @cmd, '-U', $user, '-c', $sql ], '<', \undef, '>', \$out, '2>', \$err);
	chomp $out;
	return ($? >> 8, $out, $err);
}

my $tmp = PostgreSQL::Test::Utils::tempdir('boundary');
my %total = (attacks => 0, escalations => 0, rows_changed => 0, state_left => 0, unexpected => 0);
for ($round = 1; $round <= $rounds; $round++)
{
	# The round's databases: the corpus, its checks, and the prelude (the
	# attacker's tools), applied as any revision.
	for my $way (@ways)
	{
		my $db = dbname($way);
		$node->safe_psql('postgres', "CREATE DATABASE $db");
		$node->safe_psql($db, 'CREATE EXTENSION pgmig');
		$node->safe_psql($db, 'CREATE SCHEMA bnd AUTHORIZATION bnd_mallory');
		for my $f ('attacks.sql', 'harness.sql')
		{
			my ($rc, $out, $err) = $node->psql($db, undef, extra_params => [ '-v', 'ON_ERROR_STOP=1', '-f',
				"$src/test/corpus/boundary/$f" ]);
			die "$f: $err" if $rc != 0;
		}
		my ($prelude) = $node->safe_psql($db, 'SELECT body FROM bnd_attack WHERE n = 0');
		my $dir = "$tmp/$round/$way/prelude";
		write_migration($dir, 'prelude', [], $prelude);
		my ($rc, $out, $err) = client($way, 'bnd_mallory', '--dir', $dir, '--project', 'bnd_prelude', 'push');
		is($rc, 0, "round $round, $way: prelude pushed by bnd_mallory") or diag $err;
		($rc, $out, $err) = client($way, 'postgres', '--dir', $dir, '--project', 'bnd_prelude', 'up');
		is($rc, 0, "round $round, $way: prelude applied by the superuser") or diag $err;
	}

	my $attacks = $node->safe_psql(dbname('client'), 'SELECT n, uploader, expect, name FROM bnd_attack WHERE n > 0 ORDER BY n');
	for my $line (split /\n/, $attacks)
	{
		my ($n, $uploader, $expect, $name) = split /\|/, $line, 4;
		my ($body) = $node->safe_psql(dbname('client'), "SELECT body FROM bnd_attack WHERE n = $n");
		my $by = $uploader eq 'deployer' ? 'bnd_mallory' : 'postgres';
		for my $way (@ways)
		{
			my $project = "bnd_$n";
			my ($rc, $out, $err) = sq($way, 'postgres', "SELECT bnd_before($n, 'bnd_mallory')");
			die "bnd_before $n: $err" if $rc;
			($rc, $out, $err) = sq($way, 'postgres', "SELECT bnd_snapshot($n)");
			die "bnd_snapshot $n: $err" if $rc;
			my $failed = 0;
			if ($way eq 'psql_pooled')
			{
				my $quoted = $body =~ s/'/''/gr;
				($rc, $out, $err) = sq($way, $by,
					"SELECT action FROM pgmig.mig_upload('x', '$quoted', parents => '{r}', project => '$project')");
				$failed ||= $rc;
				($rc, $out, $err) = sq($way, 'postgres',
					"BEGIN; SELECT count(*) FROM pgmig.mig_apply('head', '$project'); COMMIT;");
				$failed ||= $rc;
			}
			else
			{
				my $dir = "$tmp/$round/$way/$n";
				write_migration($dir, 'r', [], 'SELECT 1');
				write_migration($dir, 'x', ['r'], $body);
				($rc, $out, $err) = client($way, $by, '--dir', $dir, '--project', $project, 'push');
				$failed ||= $rc;
				($rc, $out, $err) = client($way, 'postgres', '--dir', $dir, '--project', $project, 'up');
				$failed ||= $rc;
			}
			my ($arc, $after, $aerr) =
			  sq($way, 'postgres', "SELECT outcome, escalation, rows_changed, state_left FROM bnd_after($n)");
			die "bnd_after $n: $aerr" if $arc;
			my ($outcome, $escalation, $rows, $state) = split /\|/, $after, 4;
			my $what = ($rounds > 1 ? "round $round, " : '') . "$way, attack $n ($name)";
			is($outcome, $expect, "$what: $expect") or diag "last step said: $err";
			is($failed ? 'refused' : 'applied', $expect, "$what: the run " . ($expect eq 'applied' ? 'succeeded' : 'failed'));
			is($escalation, '0', "$what: no escalation");
			is($rows, '0', "$what: no pgmig row changed");
			is($state, '0', "$what: nothing left in the session");
			$total{attacks}++;
			$total{escalations}++ if $escalation ne '0';
			$total{rows_changed}++ if $rows ne '0';
			$total{state_left}++ if $state ne '0';
			$total{unexpected}++ if $outcome ne $expect;
		}
	}
}
$pgb->stop;

diag "figure: boundary_ways = " . join(', ', 'psql (sql/boundary)', @ways);
diag "figure: boundary_rounds = $rounds";
diag "figure: boundary_attacks_run = $total{attacks}";
diag "figure: boundary_escalations = $total{escalations}";
diag "figure: boundary_pgmig_rows_changed = $total{rows_changed}";
diag "figure: boundary_state_left = $total{state_left}";
diag "figure: boundary_unexpected_outcomes = $total{unexpected}";

done_testing();
