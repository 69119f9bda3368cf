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
my %tools = ('flyway' => 0, 'golang-migrate' => 0, 'dbmate' => 1, 'diesel' => 1, 'sqitch' => 1, 'alembic-sql' => 1);
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

# History: the tool applied all but the last migration and recorded them in
# its own table; `pgmig import-history` stamps exactly those (without linting
# them: their objects exist), `pgmig up` applies the last one.
my %history = (
	'flyway' => sub {
		my ($node, $db, @ids) = @_;
		$node->safe_psql($db, 'CREATE TABLE flyway_schema_history (installed_rank int, version text, description text, '
			. 'type text, script text, checksum int, installed_by text, installed_on timestamp DEFAULT now(), '
			. 'execution_time int, success boolean)');
		my $rank = 0;
		$node->safe_psql($db, "INSERT INTO flyway_schema_history VALUES (" . ++$rank . ", '$_', 'x', 'SQL', 'x', 0, 'ci', now(), 1, true)")
			for @ids;
	},
	'golang-migrate' => sub {
		my ($node, $db, @ids) = @_;
		$node->safe_psql($db, "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); "
			. "INSERT INTO schema_migrations VALUES ($ids[-1], false)");
	},
	'dbmate' => sub {
		my ($node, $db, @ids) = @_;
		$node->safe_psql($db, 'CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)');
		$node->safe_psql($db, "INSERT INTO schema_migrations VALUES ('$_')") for @ids;
	},
	'diesel' => sub {
		my ($node, $db, @ids) = @_;
		$node->safe_psql($db, 'CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp DEFAULT now())');
		$node->safe_psql($db, "INSERT INTO __diesel_schema_migrations (version) VALUES ('$_')") for @ids;
	},
	'sqitch' => sub {
		my ($node, $db, @ids) = @_;
		$node->safe_psql($db, 'CREATE SCHEMA sqitch; CREATE TABLE sqitch.changes (change_id text, change text, project text, '
			. 'committed_at timestamptz DEFAULT clock_timestamp())');
		$node->safe_psql($db, "INSERT INTO sqitch.changes (change_id, change, project) VALUES (md5('$_'), '$_', 'x')") for @ids;
	},
	'alembic-sql' => sub {
		my ($node, $db, @ids) = @_;
		$node->safe_psql($db, "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); "
			. "INSERT INTO alembic_version VALUES ('$ids[-1]')");
	});
my %history_dir;
for my $tool (sort keys %history) {
	(my $db = "hist_$tool") =~ s/-/_/g;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my $dir = $history_dir{$tool} = PostgreSQL::Test::Utils::tempdir . "/h_$tool";
	my ($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir, 'import', '--from', $tool, "$fixtures/$tool");
	is($rc, 0, "$tool history: import") or diag("$out\n$err");
	my $j = decode_json_ok($out);
	my @ids = @{ $j->{ids} // [] };
	ok(@ids >= 3, "$tool history: the id map has " . scalar(@ids) . " entries");
	# the tool ran every migration but the last (its up bodies, in order)
	for my $i (0 .. $#ids - 1) {
		my $file = "$dir/$ids[$i]{revision}.sql";
		open(my $fh, '<', $file) or die "$file: $!";
		local $/;
		my $text = <$fh>;
		close($fh);
		$text =~ s/\n-- pgmig:down\n.*//s;
		$node->safe_psql($db, $text);
	}
	$history{$tool}->($node, $db, map { $_->{source} } @ids[0 .. $#ids - 1]);
	($rc, $out, $err) = pgmig($node, $db, 'init');
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'import-history', '--from', $tool, "$fixtures/$tool");
	is($rc, 0, "$tool history: import-history") or diag("$out\n$err");
	# what it stamps is not linted: the database has those objects
	unlike($err, qr/L015/, "$tool history: no 'object exists' warning for the stamped revisions") or diag($err);
	my $stamped = $node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE how = 'stamp'");
	ok($stamped >= 1 && $stamped <= @ids - 1, "$tool history: $stamped revisions stamped");
	is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = '$ids[-1]{revision}'"), '0',
		"$tool history: the last migration is not stamped");
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
	is($rc, 0, "$tool history: up applies the rest") or diag("$out\n$err");
	is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.applied'), scalar(@ids), "$tool history: all applied");
}

# a dirty golang-migrate history is refused
$node->safe_psql('hist_golang_migrate', 'UPDATE schema_migrations SET dirty = true');
my ($hrc, $hout, $herr) = pgmig($node, 'hist_golang_migrate', '--dir', $history_dir{'golang-migrate'},
	'import-history', '--from', 'golang-migrate', "$fixtures/golang-migrate");
is($hrc, 1, 'a dirty golang-migrate history is refused');
like($herr, qr/dirty/, 'saying why') or diag($herr);

# a usage error for an unknown tool
my ($rc, $out, $err) = pgmig($node, 'postgres', '--dir', PostgreSQL::Test::Utils::tempdir . '/x', 'import',
	'--from', 'liquibase', $fixtures);
is($rc, 2, 'unknown --from: exit 2');

# A plain folder of SQL files (not golang-migrate's nor Flyway's names): no
# migration is found, which is an error that writes nothing, and every file
# is named in a note (issue 18: "imported 0 migrations", exit 0, before).
my $plain = PostgreSQL::Test::Utils::tempdir . '/plain';
mkdir $plain;
for my $f ('001_init.sql', '002_users.sql')
{
	open(my $fh, '>', "$plain/$f") or die;
	print $fh "CREATE TABLE t_$f (id int);\n" =~ s/\.sql//r;
	close($fh);
}
open(my $readme, '>', "$plain/README.md") or die;
print $readme "how we migrate\n";
close($readme);
for my $tool ('golang-migrate', 'flyway')
{
	my $into = PostgreSQL::Test::Utils::tempdir . "/into_$tool";
	($rc, $out, $err) = pgmig($node, 'postgres', '--dir', $into, 'import', '--from', $tool, $plain);
	is($rc, 1, "$tool on a plain SQL folder: exit 1");
	like($err, qr/no $tool migration found in \Q$plain\E; nothing was written/, "$tool: says none was found")
	  or diag($err);
	like($err, qr/note: 001_init\.sql: .*\n.*note: 002_users\.sql: .*\n.*note: README\.md: not read/s,
		"$tool: a note for every file") or diag($err);
	ok(!-e $into || !glob("$into/*"), "$tool: nothing written");
}

$node->stop;
done_testing();
