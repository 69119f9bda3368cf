# 015_client_safety.pl — the safety net through the client:
#   - `pgmig up` (one transaction per revision) records what its run changed
#     with one mig_snapshot at the end; `pgmig drift` is clean after it;
#   - a table created by hand, an index dropped by hand: `pgmig drift` lists
#     them (exit 3), `pgmig verify` fails on them (exit 3), a later `pgmig up`
#     does not absorb them, `pgmig snapshot` accepts them;
#   - the audit logs DDL run by hand but neither the bodies pgmig runs nor
#     the CREATE INDEX CONCURRENTLY the client runs outside a transaction;
#   - `pgmig baseline` adopts a database whose schema already exists;
#   - lint at push: a WARNING per finding, and policy error refuses the push.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('safety');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir . '/m';
my $db = 'postgres';
delete $ENV{PGAPPNAME};

write_migration($dir, 's1', [], "CREATE TABLE item (id int PRIMARY KEY, name text);", "DROP TABLE item;");
write_migration($dir, 's2', ['s1'], "CREATE INDEX CONCURRENTLY item_name_idx ON item (name);",
	"DROP INDEX CONCURRENTLY item_name_idx;");
write_migration($dir, 's3', ['s2'], "ALTER TABLE item ADD COLUMN price int;", "ALTER TABLE item DROP COLUMN price;");

my ($rc, $out, $err) = pgmig($node, $db, 'init');
is($rc, 0, 'init');
$node->safe_psql($db, 'SELECT pgmig.mig_audit_enable()');

# 1. up: each call records what it changed, from the objects it touched
# (0.7); the first one, with no schema recorded yet, records the whole
# schema as the base; no snapshot at the end; no drift.
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
is($rc, 0, 'up applies s1..s3') or diag("$out\n$err");
is($node->safe_psql($db, "SELECT string_agg(kind, ',' ORDER BY event_id) FROM pgmig.event "
	. "WHERE kind IN ('apply', 'snapshot')"), 'apply,apply,apply', 'three applies, no snapshot');
is($node->safe_psql($db, "SELECT string_agg(c.kind || ':' || (c.digest IS NULL)::text, ',' ORDER BY e.event_id) "
	. "FROM pgmig.event e JOIN pgmig.schema_change c USING (event_id) WHERE e.kind = 'apply'"),
	'full:false,delta:true,delta:true',
	'each apply has its record: the base, then two records of the touched objects (no whole-schema digest)');
is($node->safe_psql($db, "SELECT string_agg(x.kind || ' ' || x.identity, ',' ORDER BY x.kind, x.identity) "
	. "FROM pgmig.schema_change c, jsonb_to_recordset(c.changes) AS x(kind text, identity text) "
	. "WHERE c.kind = 'delta'"), 'column public.item.price,index public.item_name_idx',
	'the records hold what s2 (CREATE INDEX CONCURRENTLY, run by the client) and s3 changed, nothing else');
($rc, $out, $err) = pgmig($node, $db, 'drift');
is($rc, 0, 'drift: none after up') or diag("$out\n$err");
like($out, qr/drift: none/, 'and says so');
is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.ddl_log'), '0',
	'the audit logged neither the bodies nor the client\'s CREATE INDEX CONCURRENTLY');

# 2. Changes by hand are drift, logged by the audit, and survive a later up.
$node->safe_psql($db, 'CREATE TABLE hotfix (id int); DROP INDEX item_name_idx;');
($rc, $out, $err) = pgmig($node, $db, 'drift');
is($rc, 3, 'drift after a hotfix: exit 3');
like($out, qr/added\s+table\s+public\.hotfix/, 'the hand-made table') or diag($out);
like($out, qr/removed\s+index\s+public\.item_name_idx/, 'the dropped index') or diag($out);
($rc, $out, $err) = pgmig($node, $db, '--json', 'drift');
my $j = decode_json_ok($out);
is(scalar(grep { $_->{change} eq 'added' && $_->{identity} eq 'public.hotfix' } @{ $j->{drift} // [] }), 1,
	'--json lists it');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'verify');
is($rc, 3, 'verify fails on drift');
like($out, qr/drift/, 'naming it') or diag($out);
is($node->safe_psql($db, "SELECT string_agg(command_tag || ' ' || object_identity, ', ' ORDER BY log_id) FROM pgmig.ddl_log"),
	'CREATE TABLE public.hotfix, DROP INDEX public.item_name_idx', 'the audit logged both');

write_migration($dir, 's4', ['s3'], "ALTER TABLE item ADD COLUMN note text;", "ALTER TABLE item DROP COLUMN note;");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'up');
is($rc, 0, 'up applies s4') or diag("$out\n$err");
($rc, $out, $err) = pgmig($node, $db, 'drift');
is($rc, 3, 'the hotfix is still drift after up');
unlike($out, qr/item\.note/, 'but s4\'s column is not') or diag($out);
($rc, $out, $err) = pgmig($node, $db, 'snapshot');
is($rc, 0, 'snapshot accepts the schema') or diag("$out\n$err");
($rc, $out, $err) = pgmig($node, $db, 'drift');
is($rc, 0, 'no drift after snapshot') or diag($out);

# 3. Adopting an existing database.
my $adopt = 'adopt';
$node->safe_psql($db, "CREATE DATABASE $adopt");
$node->safe_psql($adopt, 'CREATE TABLE legacy (id int PRIMARY KEY); CREATE INDEX legacy_idx ON legacy (id);');
my $adir = PostgreSQL::Test::Utils::tempdir . '/adopt';
write_migration($adir, 'a1', [], "CREATE TABLE legacy (id int PRIMARY KEY);\nCREATE INDEX legacy_idx ON legacy (id);");
write_migration($adir, 'a2', ['a1'], "ALTER TABLE legacy ADD COLUMN name text;");
($rc, $out, $err) = pgmig($node, $adopt, 'init');
($rc, $out, $err) = pgmig($node, $adopt, '--dir', $adir, 'baseline', 'a1');
is($rc, 0, 'baseline a1') or diag("$out\n$err");
like($out, qr/baseline: 1 revision stamped/, 'reports it') or diag($out);
($rc, $out, $err) = pgmig($node, $adopt, '--dir', $adir, 'up');
is($rc, 0, 'up applies only a2') or diag("$out\n$err");
is($node->safe_psql($adopt, "SELECT string_agg(revision || ':' || how, ',' ORDER BY revision) FROM pgmig.applied"),
	'a1:stamp,a2:apply', 'a1 stamped, a2 applied');
($rc, $out, $err) = pgmig($node, $adopt, 'drift');
is($rc, 0, 'no drift') or diag($out);
($rc, $out, $err) = pgmig($node, $adopt, '--dir', $adir, 'baseline', 'a2');
is($rc, 1, 'a second baseline is refused');
like($err, qr/PM041/, 'with PM041') or diag($err);

# 4. Lint at push.
write_migration($dir, 's5', ['s4'], "CREATE INDEX item_price_idx ON item (price);");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 0, 'push with a lint finding succeeds under policy warn') or diag("$out\n$err");
like($err . $out, qr/L004/, 'and shows the finding') or diag("$out\n$err");
$node->safe_psql($db, "SELECT pgmig.mig_set_policy(lint => 'error')");
write_migration($dir, 's6', ['s5'], "DROP TABLE hotfix;");
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 1, 'policy error refuses the push');
like($err, qr/PM042/, 'with PM042') or diag($err);
is($node->safe_psql($db, "SELECT count(*) FROM pgmig.revision WHERE revision = 's6'"), '0', 'and stores nothing');

$node->stop;
done_testing();
