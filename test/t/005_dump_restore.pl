# 005_dump_restore.pl — pg_dump keeps pgmig's catalog.
#
# The catalog tables and sequences are marked with pg_extension_config_dump,
# so a plain pg_dump carries every revision, the applied set and the history.
# A database with applies, a stamp, a downgrade and a recorded failure is
# dumped and restored (createdb + psql -f) into a fresh database of the same
# cluster and into a fresh cluster (where pgmig's roles do not exist yet).
# In both: pgmig.revision, pgmig.applied and pgmig.event are equal row for
# row, mig_heads / mig_status / mig_history answer the same, and pgmig keeps
# working (new ids continue after the restored ones).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('source');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql(
	'src', q{
SET client_min_messages = warning;
CREATE EXTENSION pgmig;
SELECT count(*) FROM pgmig.mig_upload('base1', 'CREATE TABLE items (id int PRIMARY KEY)', down => 'DROP TABLE items', message => 'items');
SELECT count(*) FROM pgmig.mig_upload('add_name', 'ALTER TABLE items ADD COLUMN name text', ARRAY['base1'], down => 'ALTER TABLE items DROP COLUMN name', message => 'name column');
SELECT count(*) FROM pgmig.mig_upload('seed', $$INSERT INTO items VALUES (1, 'one'), (2, 'two')$$, ARRAY['add_name'], down => 'DELETE FROM items');
SELECT count(*) FROM pgmig.mig_upload('feature', 'CREATE TABLE feature_x (a int)', ARRAY['base1'], branch_labels => ARRAY['fx'], message => 'a branch');
SELECT count(*) FROM pgmig.mig_upload('merge1', 'CREATE INDEX items_name ON items (name)', ARRAY['seed', 'feature'], message => 'merge');
SELECT count(*) FROM pgmig.mig_upload('broken', 'SELECT 1 / 0', ARRAY['merge1'], message => 'fails');
SELECT count(*) FROM pgmig.mig_apply('seed');
SELECT count(*) FROM pgmig.mig_downgrade('add_name');
SELECT count(*) FROM pgmig.mig_apply('merge1');
SELECT count(*) FROM pgmig.mig_apply('head', atomic => false);
SELECT count(*) FROM pgmig.mig_upload('o1', 'CREATE TABLE other_t (a int)', project => 'other');
SELECT count(*) FROM pgmig.mig_upload('o2', 'SELECT 1', ARRAY['o1'], project => 'other');
SELECT count(*) FROM pgmig.mig_stamp('o2', 'other');
});

# What must survive, as text.
my %queries = (
	revision => 'SELECT r::text FROM pgmig.revision r ORDER BY project, revision',
	applied  => 'SELECT a::text FROM pgmig.applied a ORDER BY project, revision',
	event    => 'SELECT e::text FROM pgmig.event e ORDER BY event_id',
	heads    => "SELECT h::text FROM pgmig.mig_heads('default') h UNION ALL SELECT h::text FROM pgmig.mig_heads('other') h",
	status   => "SELECT s::text FROM pgmig.mig_status('default') s UNION ALL SELECT s::text FROM pgmig.mig_status('other') s",
	history  => "SELECT h::text FROM pgmig.mig_history('default') h",
	items    => 'SELECT i::text FROM items i ORDER BY id',);

sub snapshot
{
	my ($n, $db) = @_;
	my %s;
	$s{$_} = $n->safe_psql($db, $queries{$_}) for keys %queries;
	return \%s;
}

my $src = snapshot($node, 'src');
like($src->{event}, qr/failure/, 'the source history has a failure event');
like($src->{event}, qr/downgrade/, 'and a downgrade event');
like($src->{event}, qr/stamp/,     'and a stamp event');
is( $node->safe_psql('src', "SELECT count(*) FROM pgmig.applied"),
	'7', 'source: 5 applied in default, 2 stamped in other');

my $dump = "$tmp/src.sql";
$node->command_ok([ 'pg_dump', '-d', $node->connstr('src'), '-f', $dump ],
	'pg_dump of the source database');

my $dump_text = slurp_file($dump);
like($dump_text, qr/COPY pgmig\.revision /, 'the dump holds pgmig.revision data');
like($dump_text, qr/COPY pgmig\.applied /,  'the dump holds pgmig.applied data');
like($dump_text, qr/COPY pgmig\.event /,    'the dump holds pgmig.event data');

# Restores into database dst of $n and compares.
sub restore_and_compare
{
	my ($n, $label) = @_;
	$n->safe_psql('postgres', 'CREATE DATABASE dst');
	my ($out, $err) = ('', '');
	my $rc = $n->psql(
		'dst', undef,
		stdout        => \$out,
		stderr        => \$err,
		on_error_stop => 1,
		extra_params  => [ '-f', $dump ]);
	is($rc, 0, "$label: psql -f dump exits 0");
	is($err =~ s/^.*NOTICE.*\n//mgr, '', "$label: no error while restoring");

	my $dst = snapshot($n, 'dst');
	for my $k (sort keys %queries)
	{
		is($dst->{$k}, $src->{$k}, "$label: $k equal after restore");
	}

	# pgmig keeps working on the restored catalog; ids continue.
	my $r = $n->safe_psql(
		'dst', q{
SET client_min_messages = warning;
SELECT count(*) FROM pgmig.mig_upload('after', 'CREATE TABLE after_t (a int)', ARRAY['merge1']);
SELECT string_agg(revision, ',') FROM pgmig.mig_apply('after');
SELECT (SELECT max(event_id) FROM pgmig.event WHERE revision = 'after')
     > (SELECT max(event_id) FROM pgmig.event WHERE revision IS DISTINCT FROM 'after'),
       (SELECT upload_seq FROM pgmig.revision WHERE revision = 'after')
     > (SELECT max(upload_seq) FROM pgmig.revision WHERE revision <> 'after');
});
	is($r, "1\nafter\nt|t",
		"$label: upload and apply work after the restore, ids continue");
	return;
}

restore_and_compare($node, 'same cluster');

my $fresh = PostgreSQL::Test::Cluster->new('fresh');
$fresh->init;
$fresh->start;
is( $fresh->safe_psql(
		'postgres', "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgmig\\_%'"),
	'0',
	'fresh cluster: no pgmig role yet');
restore_and_compare($fresh, 'fresh cluster');

for my $n ($node, $fresh)
{
	$n->stop;
	my $log = slurp_file($n->logfile);
	unlike($log, qr/terminated by signal/,
		$n->name . ': no backend terminated by a signal');
}
done_testing();
