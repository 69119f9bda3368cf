# 001_stamp_persists.pl — mig_stamp's result is durable and visible to others.
#
# A stamp committed in one connection is read back from new connections
# (safe_psql opens one per call), after a clean restart and after an
# immediate shutdown (crash recovery): the applied set is exactly the
# ancestors of the stamped target, no body ran, and the history holds the
# stamp event.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('stamp');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pgmig');

# A graph with a branch and a merge, plus a second head:
#
#   r1 - r2 - r3 ------ m1 - r5
#    \            \    /
#     b1 - b2 ---- \--/
#                   r4
my %parents = (
	r1 => [],
	r2 => ['r1'],
	r3 => ['r2'],
	b1 => ['r1'],
	b2 => ['b1'],
	m1 => [ 'r3', 'b2' ],
	r4 => ['r3'],
	r5 => ['m1'],);
my @upload_order = qw(r1 r2 r3 b1 b2 m1 r4 r5);

# Every body would create a table; a stamp must not run any of them.
for my $rev (@upload_order)
{
	my $parents = '{' . join(',', @{ $parents{$rev} }) . '}';
	$node->safe_psql('postgres',
		"SELECT action FROM pgmig.mig_upload('$rev', 'CREATE TABLE body_$rev (a int)', '$parents')"
	);
}

# The ancestors (inclusive) of a set of revisions, computed here independently.
sub ancestors
{
	my @todo = @_;
	my %seen;
	while (my $r = shift @todo)
	{
		next if $seen{$r}++;
		push @todo, @{ $parents{$r} };
	}
	return join(',', sort keys %seen);
}

sub applied_set
{
	my ($how) = @_;
	my $filter = defined $how ? " WHERE how = '$how'" : '';
	return $node->safe_psql('postgres',
		"SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM pgmig.applied$filter"
	);
}

sub check_state
{
	my ($label, $target, $events) = @_;
	my $want = ancestors($target);
	is(applied_set(), $want,
		"$label: applied set is the ancestors of $target");
	is(applied_set('stamp'), $want, "$label: every row is a stamp");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM pg_class WHERE relname LIKE 'body\\_%'"),
		'0',
		"$label: no body ran");
	is( $node->safe_psql(
			'postgres',
			"SELECT string_agg(target || ':' || message, ';' ORDER BY event_id) FROM pgmig.mig_history() WHERE kind = 'stamp'"
		),
		$events,
		"$label: history has the stamp events");
	is( $node->safe_psql(
			'postgres',
			"SELECT string_agg(revision || '=' || CASE WHEN applied THEN 't' ELSE 'f' END, ',' ORDER BY revision) FROM pgmig.mig_heads()"
		),
		join(',',
			map { "$_=" . ($want =~ /(^|,)$_(,|$)/ ? 't' : 'f') } qw(r4 r5)),
		"$label: mig_heads agrees");
	return;
}

# 1. Stamp m1 in one connection ...
my $out = $node->safe_psql('postgres',
	"SELECT string_agg(revision || ' ' || action, ',' ORDER BY revision) FROM pgmig.mig_stamp('m1')"
);
is($out, 'b1 added,b2 added,m1 added,r1 added,r2 added,r3 added',
	'stamp m1 reports the ancestors as added');

# ... and read it back from new connections.
my $ev1 = 'm1:added 6, removed 0';
check_state('new connection', 'm1', $ev1);

my $status = $node->safe_psql('postgres',
	"SELECT applied, pending, pending_revisions FROM pgmig.mig_status()");
is($status, '6|2|{r4,r5}', 'mig_status counts the stamped revisions');

# 2. Clean restart.
$node->restart;
check_state('after restart', 'm1', $ev1);

# 3. A stamp that removes revisions, then an immediate shutdown (crash
#    recovery must replay the committed stamp).
$out = $node->safe_psql('postgres',
	"SELECT string_agg(revision || ' ' || action, ',' ORDER BY revision) FROM pgmig.mig_stamp('r4')"
);
is( $out,
	'b1 removed,b2 removed,m1 removed,r4 added',
	'stamp r4 removes the branch and adds r4');
$node->stop('immediate');
$node->start;
my $ev2 = "$ev1;r4:added 1, removed 3";
check_state('after crash recovery', 'r4', $ev2);

# 4. A stamp inside a transaction that is rolled back leaves nothing.
$node->safe_psql('postgres',
	"BEGIN; SELECT count(*) FROM pgmig.mig_stamp('r5'); ROLLBACK;");
check_state('after rolled-back stamp', 'r4', $ev2);

# 5. Several targets, then 'base' clears everything.
$node->safe_psql('postgres',
	"SELECT count(*) FROM pgmig.mig_stamp(ARRAY['r4', 'b2'])");
$node->stop('immediate');
$node->start;
is(applied_set(), ancestors('r4', 'b2'),
	'stamp of two targets, after crash recovery: the union of their ancestors');

$node->safe_psql('postgres', "SELECT count(*) FROM pgmig.mig_stamp('base')");
$node->restart;
is(applied_set(), '', "stamp 'base' clears the applied set durably");
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pgmig.event WHERE kind = 'stamp'"),
	'4',
	'four stamp events in the history (the rolled-back one left none)');

# The extension still applies normally after all that: bodies run now.
$node->safe_psql('postgres', "SELECT count(*) FROM pgmig.mig_apply('r5')");
is(applied_set('apply'), ancestors('r5'),
	'mig_apply after the stamps applies the ancestors of r5');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_class WHERE relname LIKE 'body\\_%'"),
	scalar(split /,/, ancestors('r5')),
	'and ran their bodies');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend terminated by a signal');
done_testing();
