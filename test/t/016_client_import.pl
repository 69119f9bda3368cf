# 016_client_import.pl — `pgmig import` on the fixture project of each tool
# (test/fixtures/import/<tool>), then the imported folder applied end to end
# on its own database: `pgmig up` applies every migration, the tool's notes
# are printed, a second import into the same folder writes nothing, and
# where the tool has down migrations `pgmig down base` undoes them all.
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('import');
$node->init;
$node->start;
delete $ENV{PGAPPNAME};
my $fixtures = ($ENV{PGMIG_SOURCE} // '.') . '/test/fixtures/import';

# tool => whether every migration has a down body (the golang-migrate fixture
# has one without, on purpose)
my %tools = ('flyway' => 0, 'golang-migrate' => 0, 'dbmate' => 1, 'diesel' => 1, 'sqitch' => 1, 'alembic-sql' => 0);
for my $tool (sort keys %tools) {
	(my $db = "imp_$tool") =~ s/-/_/g;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my $dir = PostgreSQL::Test::Utils::tempdir . "/$tool";
	my ($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'import', '--from', $tool, "$fixtures/$tool");
	is($rc, 0, "$tool: import") or diag("$out\n$err");
	my @files = glob("$dir/*.sql");
	ok(@files >= 3, "$tool: " . scalar(@files) . " migration files written");
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'import', '--from', $tool, "$fixtures/$tool");
	is($rc, 1, "$tool: a second import into the same folder is refused");
	is(scalar(my @again = glob("$dir/*.sql")), scalar(@files), "$tool: and writes nothing");

	($rc, $out, $err) = pgmig($node, $db, 'init');
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
	is($rc, 0, "$tool: up applies the imported folder") or diag("$out\n$err");
	is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.applied'), scalar(@files), "$tool: every migration applied");
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'verify');
	is($rc, 0, "$tool: verify is clean") or diag("$out\n$err");
	next unless $tools{$tool};
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 'base');
	is($rc, 0, "$tool: down base undoes them all") or diag("$out\n$err");
	is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.applied'), '0', "$tool: nothing applied");
	is($node->safe_psql($db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		. "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'i', 'S')"), '0', "$tool: no table, view, index or sequence left");
}

# a usage error for an unknown tool
my ($rc, $out, $err) = pgmig($node, 'postgres', '--dir', PostgreSQL::Test::Utils::tempdir . '/x', 'import',
	'--from', 'liquibase', $fixtures);
is($rc, 2, 'unknown --from: exit 2');

$node->stop;
done_testing();
