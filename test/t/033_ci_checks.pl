# 033_ci_checks.pl — CI sees what production will see: `pgmig lint && pgmig
# test` on a fresh database (nothing applied) check each pending revision in
# the schema its ancestors build, and fail at the migration file's line with
# PostgreSQL's message, for the incidents teams on other tools write up:
#   1. an INSERT that omits a NOT NULL column of a table an earlier pending
#      revision created;
#   2. a foreign key integer -> uuid to such a table;
#   3. a CREATE TABLE IF NOT EXISTS whose table an earlier revision created
#      with other columns (PostgreSQL skips it with a NOTICE);
#   4. an ADD COLUMN of a column an earlier revision added;
#   5. a revision on one branch that uses a type created on another branch
#      without depends_on (it passes in id order only);
#   6. a down body that leaves an enum type behind.
# Then all six in one folder: one run of each verb reports every one; the
# --json form carries file, line, SQLSTATE, message, DETAIL and HINT; a
# non-transactional revision's down body is exercised in its transactional
# form; nothing is stored in the database by either verb.
use strict;
use warnings;

use File::Copy qw(copy);
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cichecks');
$node->init;
$node->start;
delete $ENV{PGAPPNAME};
my $root = PostgreSQL::Test::Utils::tempdir;
my $n = 0;

# A fresh database with the extension, as a CI job has.
sub fresh_db
{
	my $db = 'ci' . ++$n;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my ($rc, $out, $err) = pgmig($node, $db, 'init');
	die "init failed: $out $err" if $rc != 0;
	return $db;
}

# Writes the scenario's files into its own folder and returns the folder.
sub folder
{
	my ($name, @files) = @_;
	my $dir = "$root/$name";
	write_migration($dir, @$_) for @files;
	return $dir;
}

# Runs `pgmig lint` then `pgmig test` on a fresh database; returns both outputs.
sub ci_job
{
	my ($dir) = @_;
	my $db = fresh_db();
	my ($lrc, $lout, $lerr) = pgmig($node, $db, '--dir', $dir, 'lint');
	my ($trc, $tout, $terr) = pgmig($node, $db, '--dir', $dir, 'test');
	my $left = $node->safe_psql($db, "SELECT (SELECT count(*) FROM pgmig.revision) || '/' || "
		. "(SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)");
	return ($lrc, $lout . $lerr, $trc, $tout . $terr, $left);
}

my $accounts = ['s_accounts', [], "CREATE TABLE accounts (\n    id uuid PRIMARY KEY,\n    name text NOT NULL\n);",
	"DROP TABLE accounts;"];

# 1. INSERT without a NOT NULL column (line 4 of the file: the INSERT)
my $dir = folder('s1', $accounts,
	['s1_seed', ['s_accounts'], "-- the first account\nINSERT INTO accounts (id) VALUES ('00000000-0000-0000-0000-000000000001');",
		"DELETE FROM accounts;"]);
my ($lrc, $lout, $trc, $tout, $left) = ci_job($dir);
is($lrc, 3, '1: lint fails') or diag($lout);
like($lout, qr{s1/s1_seed\.sql:4: warning: L014 insert-missing-not-null: INSERT INTO public\.accounts leaves out column "name"},
	'1: lint names the file line and L014, seeing the table the earlier pending revision creates') or diag($lout);
like($lout, qr{s1/s1_seed\.sql:4: error: revision s1_seed: the up body fails: 23502: null value in column "name" of relation "accounts" violates not-null constraint\n    DETAIL: Failing row contains},
	'1: and the failure, with PostgreSQL\'s message and DETAIL') or diag($lout);
is($trc, 3, '1: test fails') or diag($tout);
like($tout, qr{s1/s1_seed\.sql:4: error: revision s1_seed: the up body fails: 23502: null value in column "name"},
	'1: test names the file line and the message') or diag($tout);
is($left, '0/0', '1: nothing stored, nothing left');

# 2. foreign key integer -> uuid (the CREATE TABLE starts at line 3)
$dir = folder('s2', $accounts,
	['s2_orders', ['s_accounts'], "CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n    account_id integer REFERENCES accounts (id)\n);",
		"DROP TABLE orders;"]);
($lrc, $lout, $trc, $tout) = ci_job($dir);
is($lrc, 3, '2: lint fails') or diag($lout);
like($lout, qr{s2/s2_orders\.sql:3: error: L016 foreign-key-types-incompatible: foreign key column "account_id" of table orders is integer, which cannot be compared with uuid},
	'2: lint: L016 at the statement, against the table of the earlier pending revision') or diag($lout);
is($trc, 3, '2: test fails') or diag($tout);
like($tout, qr{s2/s2_orders\.sql:3: error: revision s2_orders: the up body fails: 42804: foreign key constraint "orders_account_id_fkey" cannot be implemented\n    DETAIL: Key columns "account_id" and "id" are of incompatible types: integer and uuid\.},
	'2: test: 42804 with its DETAIL') or diag($tout);

# 3. CREATE TABLE IF NOT EXISTS of another shape (line 3)
$dir = folder('s3', $accounts,
	['s3_again', ['s_accounts'], "CREATE TABLE IF NOT EXISTS accounts (\n    id uuid PRIMARY KEY,\n    email text NOT NULL\n);",
		"SELECT 1;"]);
($lrc, $lout, $trc, $tout) = ci_job($dir);
is($lrc, 3, '3: lint fails') or diag($lout);
like($lout, qr{s3/s3_again\.sql:3: error: L017 if-not-exists-different-shape: .*public\.accounts.*email}s,
	'3: lint: L017 at the statement, showing the declared column the table lacks') or diag($lout);

# 4. ADD COLUMN of a column an earlier revision added (line 3)
$dir = folder('s4', $accounts,
	['s4_email', ['s_accounts'], "ALTER TABLE accounts ADD COLUMN email text;", "ALTER TABLE accounts DROP COLUMN email;"],
	['s4_email_again', ['s4_email'], "ALTER TABLE accounts ADD COLUMN email text;", "ALTER TABLE accounts DROP COLUMN email;"]);
($lrc, $lout, $trc, $tout) = ci_job($dir);
is($lrc, 3, '4: lint fails') or diag($lout);
like($lout, qr{s4/s4_email_again\.sql:3: error: L018 add-column-exists: },
	'4: lint: L018 at the statement') or diag($lout);
is($trc, 3, '4: test fails') or diag($tout);
like($tout, qr{s4/s4_email_again\.sql:3: error: revision s4_email_again: the up body fails: 42701: column "email" of relation "accounts" already exists},
	'4: test: 42701 at the statement') or diag($tout);

# 5. a type from another branch without depends_on: b_mood sorts before
#    c_use_mood, so the apply order hides it
$dir = folder('s5', $accounts,
	['b_mood', ['s_accounts'], "CREATE TYPE mood AS ENUM ('happy', 'sad');", "DROP TYPE mood;"],
	['c_use_mood', ['s_accounts'], "ALTER TABLE accounts ADD COLUMN m mood;", "ALTER TABLE accounts DROP COLUMN m;"],
	['d_merge', ['b_mood', 'c_use_mood'], "SELECT 1;", "SELECT 1;"]);
($lrc, $lout, $trc, $tout) = ci_job($dir);
is($lrc, 0, '5: lint has nothing to say (the apply order runs b_mood first)') or diag($lout);
is($trc, 3, '5: test fails') or diag($tout);
like($tout, qr{s5/c_use_mood\.sql:3: error: revision c_use_mood fails when only its ancestors ran before it: type "mood" does not exist \(42704\)\n    DETAIL: It passes in the apply order only because b_mood, which is not its ancestor, runs before it.*\n    HINT: Declare the dependency: add the line "-- pgmig:depends_on b_mood"},
	'5: test names the revision that creates the type, and the fix') or diag($tout);
# declared, it passes
write_migration("$root/s5", 'c_use_mood', ['s_accounts'], "ALTER TABLE accounts ADD COLUMN m mood;",
	"ALTER TABLE accounts DROP COLUMN m;");
{
	open(my $fh, '<', "$root/s5/c_use_mood.sql") or die;
	local $/;
	my $text = <$fh>;
	close $fh;
	$text =~ s/\n/\n-- pgmig:depends_on b_mood\n/;
	open($fh, '>', "$root/s5/c_use_mood.sql") or die;
	print $fh $text;
	close $fh;
}
($lrc, $lout, $trc, $tout) = ci_job("$root/s5");
is($trc, 0, '5: with depends_on the test passes') or diag($tout);

# 6. a down body that leaves an enum type behind (down body at line 7)
$dir = folder('s6', $accounts,
	['s6_kind', ['s_accounts'], "CREATE TYPE kind AS ENUM ('person', 'company');\nALTER TABLE accounts ADD COLUMN k kind;",
		"ALTER TABLE accounts DROP COLUMN k;"]);
($lrc, $lout, $trc, $tout) = ci_job($dir);
is($trc, 3, '6: test fails') or diag($tout);
like($tout, qr{s6/s6_kind\.sql:7: error: revision s6_kind: the down body leaves type public\.kind behind\n    DETAIL: ENUM \('person', 'company'\)},
	'6: test names the type at the down body') or diag($tout);

# all six at once, and a non-transactional revision whose down body runs in
# its transactional form
$dir = "$root/all";
make_path($dir);
for my $src (glob("$root/s[12346]/*.sql"))
{
	(my $name = $src) =~ s{.*/}{};
	copy($src, "$dir/$name") or die "copy $src: $!" unless -e "$dir/$name";
}
write_migration($dir, 'b_mood', ['s_accounts'], "CREATE TYPE mood AS ENUM ('happy', 'sad');", "DROP TYPE mood;");
write_migration($dir, 'c_use_mood', ['s_accounts'], "ALTER TABLE accounts ADD COLUMN m mood;", "ALTER TABLE accounts DROP COLUMN m;");
write_migration($dir, 'n_index', ['s_accounts'], "CREATE INDEX CONCURRENTLY accounts_name ON accounts (name);",
	"DROP INDEX CONCURRENTLY accounts_name;");
my $db = fresh_db();
my ($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'lint');
is($rc, 3, 'all: lint fails once');
my %rules = map { $_ => 1 } ($out =~ /: (?:warning|error): (L01[4-8]) /g);
is(join(',', sort keys %rules), 'L014,L016,L017,L018', 'all: one lint run reports every rule') or diag($out);
($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir, 'test');
is($rc, 3, 'all: test fails once');
my $j = decode_json_ok($out);
my @findings = grep { $_->{finding} } @{ $j->{checks} // [] };
my %kinds = map { ($_->{revision} . ' ' . $_->{result}) => $_ } @findings;
ok($kinds{'s1_seed failed'} && $kinds{'s2_orders failed'} && $kinds{'s4_email_again failed'}
	&& $kinds{'c_use_mood undeclared dependency'} && $kinds{'s6_kind left behind'},
	'all: one test run reports every failure') or diag(join("\n", sort keys %kinds));
my $f = $kinds{'s2_orders failed'} // {};
is(join('|', map { $_ // '' } @$f{qw(file line step sqlstate)}), "$dir/s2_orders.sql|3|up|42804", 'json: file, line, step, SQLSTATE');
like($f->{detail} // '', qr/incompatible types: integer and uuid/, 'json: DETAIL');
like($kinds{'c_use_mood undeclared dependency'}{hint} // '', qr/depends_on b_mood/, 'json: HINT');
my @nontx = grep { $_->{revision} eq 'n_index' } @{ $j->{checks} // [] };
is(join(',', map { "$_->{step}:$_->{result}" } @nontx), 'up:ok,down:ok,up again:ok',
	'the non-transactional revision is exercised, down body included');
like(join("\n", map { $_->{message} // '' } @nontx), qr/ran as DROP INDEX without CONCURRENTLY, its transactional form/,
	'and labelled as run in its transactional form');
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.revision"), '0', 'neither verb stored a revision');

done_testing();
