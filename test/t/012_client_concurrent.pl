# 012_client_concurrent.pl — sixteen deploys starting at once (RELIABILITY
# A1, A9): 16 shells run `pgmig init && pgmig up` against a fresh database at
# the same moment.  init creates the extension under an advisory lock, push
# uploads the same folder sixteen times, up applies.  Asserted, for two fresh
# databases: every process exits 0; each of the 60 revisions (one of them
# non-transactional) ran exactly once (exec_log) and is recorded once; no
# advisory lock and no lease is left.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $clients = 16;
my $revisions = 60;

my $node = PostgreSQL::Test::Cluster->new('deploys');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 60");
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir . '/migrations';

write_migration($dir, sprintf('r%03d', 1), [], "CREATE TABLE exec_log (rev text NOT NULL, at timestamptz DEFAULT clock_timestamp());\nINSERT INTO exec_log (rev) VALUES ('r001');");
for my $i (2 .. $revisions)
{
	my $id = sprintf('r%03d', $i);
	my $up = $i == 30
	  ? "CREATE INDEX CONCURRENTLY exec_log_rev_idx ON exec_log (rev);"
	  : "INSERT INTO exec_log (rev) VALUES ('$id');";
	write_migration($dir, $id, [ sprintf('r%03d', $i - 1) ], $up);
}

for my $round (1 .. 2)
{
	my $db = "deploy$round";
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my $bin = pgmig_bin();
	my %env = client_env($node, $db);
	local @ENV{ keys %env } = values %env;
	my (@h, @out, @err);
	for my $c (0 .. $clients - 1)
	{
		($out[$c], $err[$c]) = ('', '');
		push @h, IPC::Run::start([ 'sh', '-c', "'$bin' init && '$bin' --dir '$dir' up" ],
			'<', \undef, '>', \$out[$c], '2>', \$err[$c]);
	}
	my $ok = 0;
	for my $c (0 .. $clients - 1)
	{
		$h[$c]->finish;
		if ($h[$c]->result(0) == 0) { $ok++ }
		else { diag("client $c: $out[$c]\n$err[$c]") }
	}
	is($ok, $clients, "round $round: all $clients deploys exit 0");
	is($node->safe_psql($db, "SELECT count(*), count(DISTINCT rev) FROM exec_log"),
		($revisions - 1) . '|' . ($revisions - 1), "round $round: every body ran exactly once");
	is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied"), $revisions, "round $round: all recorded");
	is($node->safe_psql($db, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'exec_log_rev_idx'::regclass"),
		't', "round $round: the concurrent index is valid");
	is($node->safe_psql($db, "SELECT count(*) FROM pgmig.event WHERE kind = 'apply'"), $revisions,
		"round $round: one apply event per revision");
	is($node->safe_psql($db,
		"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") . '|'
		. $node->safe_psql($db, "SELECT count(*) FROM pgmig.nontx_lease"),
		'0|0', "round $round: no advisory lock, no lease left");
}

done_testing();
