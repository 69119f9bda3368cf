# 004_lock_table_full.pl — one transaction cannot hold the locks of many
# revisions that each create a table: the shared lock table fills up.
#
# With max_locks_per_transaction = 10 and max_connections = 10 the lock table
# has room for a few hundred locks; every revision that creates a table keeps
# at least two of them until the end of the transaction (the new table and
# the revision's subtransaction id).  mig_apply('head') over 600 such
# revisions must fail with SQLSTATE 53200, pgmig's own message and a HINT
# that says to apply in steps or raise max_locks_per_transaction, and leave
# nothing applied.  Applying in steps of 50, one transaction each, works.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $revisions = 600;
my $step      = 50;

my $node = PostgreSQL::Test::Cluster->new('locks');
$node->init;
# Pin every setting that sizes the lock table, so the failure point does not
# depend on the defaults of the machine.
$node->append_conf(
	'postgresql.conf', q{
max_locks_per_transaction = 10
max_connections = 10
max_prepared_transactions = 0
max_worker_processes = 8
autovacuum_max_workers = 3
max_wal_senders = 0
});
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pgmig');
is( $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM pgmig.mig_upload_batch(
	(SELECT jsonb_agg(jsonb_build_object(
		'revision', 'l' || i,
		'up', format('CREATE TABLE lt_%s (a int)', i),
		'parents', CASE WHEN i > 1 THEN jsonb_build_array('l' || (i - 1)) ELSE '[]'::jsonb END) ORDER BY i)
	   FROM generate_series(1, $revisions) i))}),
	$revisions,
	"uploaded $revisions revisions that each create a table");

my $settings = $node->safe_psql('postgres',
	"SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings "
	  . "WHERE name IN ('max_locks_per_transaction', 'max_connections', 'max_prepared_transactions', "
	  . "'max_worker_processes', 'autovacuum_max_workers', 'max_wal_senders')");
note("settings: $settings");

# 1. All in one transaction: the lock table fills up.
my ($out, $err) = ('', '');
my $rc = $node->psql(
	'postgres',
	"SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_apply('head')",
	stdout        => \$out,
	stderr        => \$err,
	on_error_stop => 1,
	extra_params  => [ '-v', 'VERBOSITY=verbose' ]);
isnt($rc, 0, "mig_apply('head') over $revisions table-creating revisions fails");
note("error output:\n$err");
like(
	$err,
	qr/ERROR:  53200: pgmig: the lock table is full after applying \d+ of $revisions revisions/m,
	'SQLSTATE 53200 and pgmig\'s message');
my ($done) = $err =~ /after applying (\d+) of/;
$done //= -1;
note("measured: the lock table was full after $done of $revisions revisions "
	  . "(the revision that failed was number " . ($done + 1) . ')');
cmp_ok($done, '>', 0, 'the message says how many revisions ran before the failure');
cmp_ok($done, '<', $revisions / 2,
	'the failure point is well below the number of revisions (the test stays reliable)');
like($err, qr/^HINT:  .*pgmig\.mig_apply\('\+\d+'\)/m,
	"the HINT says to apply in steps with mig_apply('+N')");
like($err, qr/^HINT:  .*max_locks_per_transaction/m,
	'the HINT mentions max_locks_per_transaction');
like($err, qr/^DETAIL:  .*lock table/m, 'the DETAIL explains the lock table');
my ($suggested) = $err =~ /mig_apply\('\+(\d+)'\)/;
$suggested //= 0;
cmp_ok($suggested, '>=', 1, 'the HINT suggests a step of at least one revision');
cmp_ok($suggested, '<=', $done,
	"the step the HINT suggests (+$suggested) fits in one transaction here ($done did)");

is( $node->safe_psql(
		'postgres',
		'SELECT (SELECT count(*) FROM pgmig.applied) || '
		  . "'|' || (SELECT count(*) FROM pgmig.event WHERE kind IN ('apply', 'failure')) || "
		  . "'|' || (SELECT count(*) FROM pg_class WHERE relname ~ '^lt_[0-9]+\$')"),
	'0|0|0',
	'nothing applied, no event, no table left');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
	'0',
	'no advisory lock left');

# 2. In steps, one transaction each: succeeds.
my $calls = 0;
my @mismatch;
while (1)
{
	my $pending = $node->safe_psql('postgres', 'SELECT pending FROM pgmig.mig_status()');
	last if $pending == 0 || $calls > $revisions;
	my $want = $pending < $step ? $pending : $step;
	my $n = $node->safe_psql('postgres',
		"SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_apply('+$want')");
	$calls++;
	push @mismatch, "step $calls: $n instead of $want" if $n != $want;
}
is(join('; ', @mismatch), '', "every step applied $step revisions");
is($calls, $revisions / $step, "applied in $calls steps of $step");
is( $node->safe_psql(
		'postgres',
		'SELECT (SELECT count(*) FROM pgmig.applied) || '
		  . "'|' || (SELECT count(*) FROM pgmig.event WHERE kind = 'apply') || "
		  . "'|' || (SELECT count(*) FROM pg_class WHERE relname ~ '^lt_[0-9]+\$')"),
	"$revisions|$revisions|$revisions",
	'every revision applied, with its event and its table');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend terminated by a signal');
done_testing();
