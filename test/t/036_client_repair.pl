# 036_client_repair.pl — `pgmig repair` (issue 18): an applied revision's
# broken down body is fixed in its file, push refuses the file (PM021) and
# points at repair, `pgmig repair --reason` stores it with a repair event
# naming who, why and what changed, and the downgrade then runs.  A file
# whose up body changed is refused unless --schema-unchanged, which the
# history then records; a differing file that is not applied is left to
# push; nothing to repair says so.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('repair');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $db = 'postgres';
my $dir = "$tmp/m";
my ($rc, $out, $err, $doc);

# Runs pgmig for a step the test builds on; dies when it fails.
sub setup
{
	my ($rc, $out, $err) = pgmig($node, $db, @_);
	die "pgmig @_ failed:\n$out\n$err" if $rc != 0;
}

write_migration($dir, 'r1', [], 'CREATE TABLE rp_a (id int);', 'DROP TABLE rp_a;');
write_migration($dir, 'r2', ['r1'], 'CREATE TABLE rp_b (id int);', 'DROP TABLE rp_bb;', message => 'add rp_b');
setup('init');
setup('--dir', $dir, 'up');

# The broken down body stops the downgrade.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', '-1');
is($rc, 1, 'down -1 with a broken down body fails');
like($err, qr/rp_bb/, '... on the missing table') or diag $err;

# Fixed in the file: push refuses it and points at repair.
write_migration($dir, 'r2', ['r1'], 'CREATE TABLE rp_b (id int);', 'DROP TABLE rp_b;', message => 'add rp_b');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 1, 'push of the fixed file: exit 1');
like($err, qr/PM021/, '... PM021') or diag $err;
like($err, qr/pgmig repair/, '... whose hint names pgmig repair') or diag $err;

# repair needs a reason.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'repair');
is($rc, 2, 'repair without --reason: exit 2');

# repair stores it, on the record.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'repair', '--reason', 'dropped the wrong table');
is($rc, 0, 'repair') or diag "$out\n$err";
$doc = decode_json_ok($out);
is(join('|', map { "$_->{revision}:$_->{changed}" } @{ $doc->{revisions} }), 'r2:down', 'JSON: r2, its down body');
like($node->safe_psql($db, q{SELECT down_body FROM pgmig.revision WHERE revision = 'r2'}), qr/^DROP TABLE rp_b;\s*$/,
	'the server holds the fixed down body');
like($node->safe_psql($db, q{SELECT message FROM pgmig.event WHERE kind = 'repair'}),
	qr/^dropped the wrong table \(repaired by \w+: down\)$/, 'a repair event with the reason and what changed');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 0, 'push is a no-op again') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'repair', '--reason', 'again');
is($rc, 0, 'repair with nothing to repair');
like($out, qr/nothing to repair/, '... says so');

# The downgrade runs now.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', '-1');
is($rc, 0, 'down -1 after the repair') or diag "$out\n$err";
is($node->safe_psql($db, q{SELECT count(*) FROM pg_tables WHERE tablename = 'rp_b'}), '0', 'rp_b is gone');
setup('--dir', $dir, 'up');

# An up body: only with --schema-unchanged.
write_migration($dir, 'r1', [], "-- the first table\nCREATE TABLE rp_a (id int);", 'DROP TABLE rp_a;');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'repair', '--reason', 'a comment');
is($rc, 1, 'repair of a changed up body: exit 1');
like($err, qr/up body differs/, '... refused') or diag $err;
like($err, qr/r1\.sql/, '... naming the file') or diag $err;
($rc, $out, $err) =
  pgmig($node, $db, '--dir', $dir, 'repair', '--reason', 'a comment', '--schema-unchanged');
is($rc, 0, 'with --schema-unchanged') or diag "$out\n$err";
like($node->safe_psql($db, q{SELECT message FROM pgmig.event WHERE kind = 'repair' ORDER BY event_id DESC LIMIT 1}),
	qr/stated that the new up body builds the same schema/, 'the history says the caller stated it');

# A differing file that is not applied is left to push.
write_migration($dir, 'r3', ['r2'], 'CREATE TABLE rp_c (id int);', 'DROP TABLE rp_c;');
setup('--dir', $dir, 'push');
write_migration($dir, 'r3', ['r2'], 'CREATE TABLE rp_c (id bigint);', 'DROP TABLE rp_c;');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'repair', '--reason', 'x');
is($rc, 0, 'repair with an unapplied differing file') or diag $err;
like($err, qr/r3 differs but is not applied: `pgmig push` replaces it/, '... leaves it to push') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'repair', 'r9', '--reason', 'x');
is($rc, 2, 'repair of a revision the folder lacks: exit 2');

is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.event WHERE kind = 'repair'}), '2', 'two repair events in all');

done_testing();
