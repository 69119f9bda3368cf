# 017_client_test_lint.pl — the CI checks of a pull request through the
# client:
#   - `pgmig test` runs up, down and up again for every pending revision and
#     exits 3 when a down body leaves an enum type behind; nothing stays in
#     the database; exit 0 for a clean folder;
#   - `pgmig test --since REF` checks only the revisions whose files changed
#     since a git ref (committed or not);
#   - `pgmig lint` reports each finding as file:line with the rule, exit 3,
#     and exit 0 when the only finding is suppressed.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('citest');
$node->init;
$node->start;
delete $ENV{PGAPPNAME};
my $db = 'postgres';
my $dir = PostgreSQL::Test::Utils::tempdir . '/m';

write_migration($dir, 'c1', [], "CREATE TABLE account (id int PRIMARY KEY);", "DROP TABLE account;");
write_migration($dir, 'c2', ['c1'], "ALTER TABLE account ADD COLUMN name text;", "ALTER TABLE account DROP COLUMN name;");
my ($rc, $out, $err) = pgmig($node, $db, 'init');

($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'test');
is($rc, 0, 'test: a clean folder passes') or diag("$out\n$err");
like($out, qr/test: ok/, 'and says so');
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.applied") . '|' . $node->safe_psql($db, "SELECT to_regclass('account') IS NULL"),
	'0|t', 'nothing stays');

# a git repository: c1, c2 committed; then a revision whose down body leaves its enum type
system("cd '$dir' && git init -q && git add . && git -c user.email=t\@t -c user.name=t commit -qm base") == 0
	or die "git failed";
write_migration($dir, 'c3', ['c2'], "CREATE TYPE account_kind AS ENUM ('person', 'company');\n"
	. "ALTER TABLE account ADD COLUMN kind account_kind;", "ALTER TABLE account DROP COLUMN kind;");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'test');
is($rc, 3, 'test: exit 3 when a down body leaves an object behind') or diag("$out\n$err");
like($out, qr{m/c3\.sql:7: error: revision c3: the down body leaves type public\.account_kind behind\n    DETAIL: ENUM \('person', 'company'\)},
	'names the enum type at the down body, with its definition') or diag($out);
like($out, qr{m/c3\.sql:3: error: revision c3: the up body fails when run again after the down body: 42710: type "account_kind" already exists},
	'and the failing second up, at the up body, with its SQLSTATE') or diag($out);
($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir, 'test', '--since', 'HEAD');
is($rc, 3, 'test --since HEAD: still exit 3');
my $j = decode_json_ok($out);
my %checked = map { $_->{revision} => 1 } @{ $j->{checks} // [] };
is(join(',', sort keys %checked), 'c3', 'only c3 (new since HEAD) was checked');

# lint (against the live catalog: account must exist for L004 to apply)
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'c2');
is($rc, 0, 'up to c2') or diag("$out\n$err");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'lint');
is($rc, 0, 'lint: no finding') or diag("$out\n$err");
write_migration($dir, 'c4', ['c3'], "-- the index\nCREATE INDEX account_name_idx ON account (name);");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'lint');
is($rc, 3, 'lint: exit 3 on a finding');
like($out, qr{c4\.sql:4: warning: L004 index-without-concurrently}, 'file:line of the statement and the rule') or diag($out);
write_migration($dir, 'c4', ['c3'], "-- pgmig-lint: ignore L004 the table is empty in every environment\n"
	. "CREATE INDEX account_name_idx ON account (name);");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'lint');
is($rc, 0, 'lint: a suppressed finding passes') or diag("$out\n$err");

# a body the server cannot parse: the error points at its file and line
write_migration($dir, 'c5', ['c4'], "SELECT 1;\nCREATE TABLE broken (;");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'lint');
is($rc, 1, 'lint: a syntax error is an error');
like($err, qr{c5\.sql:4:}, 'naming the file and line') or diag($err);

$node->stop;
done_testing();
