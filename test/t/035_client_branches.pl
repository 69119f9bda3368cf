# 035_client_branches.pl — one branch up or down from the client (issue 18):
# `pgmig down billing@-N` undoes the last N revisions of branch billing and
# what depends on them, one committed revision per step, and keeps the
# other branch applied (plain `pgmig down b1` undoes main too);
# `pgmig up billing@+N` applies the branch's next N and nothing of main;
# each step commits on its own (one downgrade event per revision); the wrong
# direction is a usage error (exit 2) that runs nothing; a revision whose
# down body is only a comment is undone like the others.
#
# The project: main m1 - m2 - m3, billing b1 - b2 - b3 from m1 (label on
# b1), and m4 after m3 that depends on b2.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('branches');
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

# The applied revisions, sorted, and the br_ tables, sorted.
sub applied
{
	return $node->safe_psql($db,
		q{SELECT string_agg(revision, ' ' ORDER BY revision) FROM pgmig.applied});
}

sub tables
{
	return $node->safe_psql($db,
		q{SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE tablename LIKE 'br\_%'});
}

sub downgrade_events
{
	return $node->safe_psql($db, q{SELECT count(*) FROM pgmig.event WHERE kind = 'downgrade'});
}

my %parents = (m1 => [], m2 => ['m1'], m3 => ['m2'], b1 => ['m1'], b2 => ['b1'], b3 => ['b2'], m4 => ['m3']);
for my $id (sort keys %parents)
{
	write_migration($dir, $id, $parents{$id}, "CREATE TABLE br_$id (id int);", "DROP TABLE br_$id;",
		$id eq 'b1' ? (branch => 'billing') : ());
}
# m4 also depends on b2
open(my $fh, '>', "$dir/m4.sql") or die;
print $fh "-- pgmig:revision m4\n-- pgmig:parents m3\n-- pgmig:depends_on b2\nCREATE TABLE br_m4 (id int);\n\n"
  . "-- pgmig:down\nDROP TABLE br_m4;\n";
close($fh);
setup('init');

# Up one branch.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'billing@+1');
is($rc, 0, 'up billing@+1') or diag "$out\n$err";
is(applied(), 'b1 m1', '... applies b1 and its ancestor m1, nothing of main');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'up', 'billing@+2');
is($rc, 0, 'up billing@+2') or diag "$out\n$err";
$doc = decode_json_ok($out);
is(join(' ', map { $_->{revision} } @{ $doc->{revisions} }), 'b2 b3', '... applies b2 then b3 (JSON)');
setup('--dir', $dir, 'up', 'heads');
is(tables(), 'br_b1 br_b2 br_b3 br_m1 br_m2 br_m3 br_m4', 'everything applied');

# Down one branch.
my $events = downgrade_events();
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 'billing@-1');
is($rc, 0, 'down billing@-1') or diag "$out\n$err";
is(applied(), 'b1 b2 m1 m2 m3 m4', '... undoes b3 only');
like($out, qr/1 revision reverted/, '... and says so');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'down', 'billing@-1');
is($rc, 0, 'down billing@-1 again') or diag "$out\n$err";
$doc = decode_json_ok($out);
is(join(' ', map { $_->{revision} } @{ $doc->{revisions} }), 'm4 b2',
	'... undoes b2 and m4, which depends on it, children first (JSON)');
is(applied(), 'b1 m1 m2 m3', '... main up to m3 stays applied');
is(downgrade_events() - $events, 3, 'one downgrade event per revision');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 'billing@base');
is($rc, 0, 'down billing@base') or diag "$out\n$err";
is(applied(), 'm1 m2 m3', '... undoes the rest of the branch');
is(tables(), 'br_m1 br_m2 br_m3', '... and its tables are gone');

# -N counts the branch's revisions, whatever depends on them.
setup('--dir', $dir, 'up', 'heads');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 'billing@-2');
is($rc, 0, 'down billing@-2 with everything applied') or diag "$out\n$err";
is(applied(), 'b1 m1 m2 m3', '... undoes b3, b2 and m4, and stops there');

# Plain `down b1` keeps only b1's ancestors: main goes too.
setup('--dir', $dir, 'up', 'heads');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 'b1');
is($rc, 0, 'down b1') or diag "$out\n$err";
is(applied(), 'b1 m1', '... keeps only b1 and its ancestors');
setup('--dir', $dir, 'up', 'heads');

# The wrong direction runs nothing.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 'billing@+1');
is($rc, 2, 'down billing@+1: exit 2');
like($err, qr/`pgmig down billing\@\+1` would go forward/, '... says it would go forward') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up', 'billing@-1');
is($rc, 2, 'up billing@-1: exit 2');
like($err, qr/`pgmig up billing\@-1` would go back/, '... says it would go back') or diag $err;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'down', 'billing@-4');
is($rc, 1, 'down billing@-4: exit 1');
like($err, qr/out of range: only 3 revisions of branch "billing" are applied/, '... out of range') or diag $err;
is(applied(), 'b1 b2 b3 m1 m2 m3 m4', 'nothing was undone by the refusals');

# A branch whose last revision's down body has no statement (a comment):
# it is undone too (mig_plan has no row for it, so the client does not use
# mig_plan to find what to undo).
write_migration($dir, 'e1', ['m1'], 'CREATE TABLE br_e1 (id int);', 'DROP TABLE br_e1;', branch => 'extra');
write_migration($dir, 'e2', ['e1'], 'SELECT 1;', '-- nothing to undo');
setup('--dir', $dir, 'up', 'heads');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'down', 'extra@-2');
is($rc, 0, 'down extra@-2, the last down body a comment') or diag "$out\n$err";
$doc = decode_json_ok($out);
is(join(' ', map { $_->{revision} } @{ $doc->{revisions} }), 'e2 e1', '... undoes e2, then e1');
is(applied(), 'b1 b2 b3 m1 m2 m3 m4', '... and nothing else');

done_testing();
