# 018_backup_restore.pl — pg_dump and restore into a fresh cluster keep
# pgmig's history byte for byte (RELIABILITY: backup):
#   - revisions (bodies, checksums, parents), the applied set, the event log
#     and the recorded schema (pgmig.schema_change), the lint policy and the
#     DDL log are identical after pg_restore;
#   - on the restored database `pgmig up` has nothing to do, `pgmig verify`
#     and `pgmig drift` are clean, and a new revision applies.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

delete $ENV{PGAPPNAME};
my $src = ($ENV{PGMIG_SOURCE} // '.') . '/examples/shop/migrations';
my $old = PostgreSQL::Test::Cluster->new('old');
$old->init;
$old->start;
my $db = 'shop';
$old->safe_psql('postgres', "CREATE DATABASE $db");

my ($rc, $out, $err) = pgmig($old, $db, 'init');
is($rc, 0, 'init') or diag("$out\n$err");
$old->safe_psql($db, "SELECT pgmig.mig_audit_enable(); SELECT pgmig.mig_set_policy(lint => 'warn');");
($rc, $out, $err) = pgmig($old, $db, '--dir', $src, 'up');
is($rc, 0, 'the example project applied') or diag("$out\n$err");
$old->safe_psql($db, 'CREATE TABLE hand_made (id int)');    # logged by the audit, and drift

# what must survive, as text
my $catalog = q{
	SELECT 'revision', string_agg(concat_ws('|', project, revision, parents::text, depends_on::text, branch_labels::text,
	                                        message, md5(up_body), md5(coalesce(down_body, '')), checksum, down_checksum,
	                                        transactional, upload_seq), E'\n' ORDER BY project, revision) FROM pgmig.revision
	UNION ALL
	SELECT 'applied', string_agg(concat_ws('|', project, revision, applied_at, checksum, how), E'\n' ORDER BY revision) FROM pgmig.applied
	UNION ALL
	SELECT 'event', string_agg(concat_ws('|', event_id, project, at, kind, revision, target, who, sqlstate, fingerprint, xid), E'\n'
	                           ORDER BY event_id) FROM pgmig.event
	UNION ALL
	SELECT 'schema_change', string_agg(concat_ws('|', event_id, project, kind, digest, md5(changes::text)), E'\n' ORDER BY event_id)
	  FROM pgmig.schema_change
	UNION ALL
	SELECT 'policy', string_agg(project || '=' || lint, ',') FROM pgmig.policy
	UNION ALL
	SELECT 'ddl_log', string_agg(concat_ws('|', log_id, command_tag, object_identity, statement), E'\n' ORDER BY log_id) FROM pgmig.ddl_log
};
my $before = $old->safe_psql($db, $catalog);
like($before, qr/hand_made/, 'the DDL log has the hand-made table');

my $dump = PostgreSQL::Test::Utils::tempdir . '/shop.dump';
$old->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $db ], 'pg_dump');

my $new = PostgreSQL::Test::Cluster->new('new');
$new->init;
$new->start;
$new->safe_psql('postgres', "CREATE DATABASE $db");
$new->command_ok([ 'pg_restore', '--exit-on-error', '-d', $db, $dump ], 'pg_restore into a fresh cluster');

is($new->safe_psql($db, $catalog), $before, 'revisions, applied set, events, recorded schema, policy and DDL log identical');
is($new->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pgmig'"),
	$old->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pgmig'"), 'same extension version');

($rc, $out, $err) = pgmig($new, $db, '--dir', $src, 'up');
is($rc, 0, 'up on the restored database') or diag("$out\n$err");
like($out, qr/nothing to apply/, 'has nothing to do') or diag($out);
($rc, $out, $err) = pgmig($new, $db, 'drift');
is($rc, 3, 'drift on the restored database: the hand-made table, as before the dump');
like($out, qr/added\s+table\s+public\.hand_made/, 'and only that') or diag($out);
unlike($out, qr/^\s+(?:removed|changed)\s/m, 'nothing else differs after the restore') or diag($out);

my $dir = PostgreSQL::Test::Utils::tempdir . '/more';
system("mkdir -p '$dir' && cp '$src'/*.sql '$dir'/") == 0 or die "cp failed";
my $parent = (pgmig($new, $db, '--dir', $dir, 'current'))[1];
chomp $parent;
write_migration($dir, '0099_after_restore', [$parent], 'CREATE TABLE after_restore (id int);', 'DROP TABLE after_restore;');
($rc, $out, $err) = pgmig($new, $db, '--dir', $dir, 'up');
is($rc, 0, 'a new revision applies on the restored database') or diag("$out\n$err");
is($new->safe_psql($db, "SELECT count(*) FROM pgmig.applied WHERE revision = '0099_after_restore'"), '1', 'and is recorded');

$old->stop;
$new->stop;
done_testing();
