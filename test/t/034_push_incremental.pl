# 034_push_incremental.pl — push sends only what the server does not hold
# identically (issue 17), and keeps every guarantee of a push of the whole
# folder.  What the server received is read from its log (log_statement =
# 'all' logs each call's parameters): every up body carries a marker
# "[body rNN]", so the markers in the log are the bodies sent.
#
# 1. A new file on a history of 30 applied revisions: the upload carries that
#    one body; the JSON still lists every file (30 unchanged, 1 new) with
#    `sent` 1; the next push is a no-op (the server's digest is the folder's
#    again: one mig_sync row, no other call).
# 2. An edited unapplied file is replaced, and is all that is sent.
# 3. An edited applied file is refused (PM021), exit 1, nothing stored.
# 4. Lint runs on what is uploaded: the new revision's warning is printed at
#    its file line; an unchanged revision with a finding is not sent, so not
#    warned about again.
# 5. Every refusal at once among the files sent: two refused new revisions
#    and a descendant of one reported together; the probes send none of the
#    unchanged bodies; nothing stored.
# 6. A revision the server holds but the folder lacks: push sends nothing
#    and says so, run after run, and keeps it stored.
# 7. A database whose pgmig is 0.6 (no mig_sync_lines): the lines come from
#    mig_revisions, and only the new file is sent there too.
# 8. baseline (push and stamp in one transaction, with stamp_targets) on a
#    database holding part of the folder sends only the rest and stamps it.
use strict;
use warnings;

use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('incremental');
$node->init;
$node->append_conf('postgresql.conf', "log_statement = 'all'");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $db = 'postgres';
my $dir = "$tmp/m";
my ($rc, $out, $err, $doc, $at);

# Runs pgmig for a step the test builds on; dies when it fails.
sub setup
{
	my ($rc, $out, $err) = pgmig($node, $db, @_);
	die "pgmig @_ failed:\n$out\n$err" if $rc != 0;
}

# Migration rNN (two digits), child of the previous one, with its marker.
sub rev
{
	my ($d, $n, $up) = @_;
	my $id = sprintf('r%02d', $n);
	my @parents = $n > 1 ? (sprintf('r%02d', $n - 1)) : ();
	$up //= "CREATE TABLE t$n (id int);";
	return write_migration($d, $id, \@parents, "$up -- [body $id]", "DROP TABLE t$n;");
}

# The bodies the server received since the log had $from bytes, sorted.
sub received
{
	my ($from) = @_;
	my %seen;
	my $log = slurp_file($node->logfile, $from);
	$seen{$1}++ while $log =~ /\[body (r\d\d|x1)\]/g;
	return join(',', sort keys %seen);
}

# The pgmig functions the server was called for (FROM pgmig.mig_x(...)) since
# $from, with how many calls each, sorted by name.
sub calls
{
	my ($from) = @_;
	my %n;
	for my $l (split /\n/, slurp_file($node->logfile, $from))
	{
		$n{$1}++ while $l =~ /LOG:  (?:statement|execute [^:]*): .*?FROM pgmig\.(mig_\w+)\(/g;
	}
	return join(',', map { "$_=$n{$_}" } sort keys %n);
}

setup('init');
rev($dir, $_) for 1 .. 30;
$at = -s $node->logfile;
setup('--dir', $dir, 'up');
is(received($at), join(',', map { sprintf('r%02d', $_) } 1 .. 30), 'the first push sends every body');

# 1. One new file.
rev($dir, 31);
$at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'push');
is($rc, 0, 'push of one new file') or diag $err;
is(received($at), 'r31', 'the server received the new body alone');
like(calls($at), qr/mig_sync_lines=1/, 'after one mig_sync_lines call');
$doc = decode_json_ok($out);
is(join('|', map { $doc->{push}{$_} } qw(new changed unchanged sent)), '1|0|30|1',
	'JSON: 1 new, 30 unchanged, 1 sent');
is(scalar @{ $doc->{push}{revisions} }, 31, 'JSON: a row per file');
is((grep { $_->{revision} eq 'r31' } @{ $doc->{push}{revisions} })[0]{action}, 'new', 'JSON: r31 is new');
$at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'push');
$doc = decode_json_ok($out);
ok(!$doc->{push}{uploaded}, 'the next push is a no-op');
is(calls($at), 'mig_sync=1', 'one mig_sync row, nothing else: the digests are equal again');
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.event WHERE kind = 'upload'}), '31',
	'one upload event per revision, none repeated');

# 2. An edited unapplied file is replaced, alone.
rev($dir, 31, 'CREATE TABLE t31 (id bigint);');
$at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'push');
is($rc, 0, 'push of an edited unapplied file') or diag $err;
is(received($at), 'r31', 'the server received that body alone');
$doc = decode_json_ok($out);
is(join('|', map { $doc->{push}{$_} } qw(new changed unchanged sent)), '0|1|30|1', 'JSON: 1 changed');
like($node->safe_psql($db, q{SELECT up_body FROM pgmig.revision WHERE revision = 'r31'}), qr/bigint/,
	'the server holds the new body');

# 3. An edited applied file is refused.
my $r05 = slurp_file("$dir/r05.sql");
rev($dir, 5, 'CREATE TABLE t5 (id bigint);');
$at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 1, 'an edited applied file: exit 1');
like($err, qr/revision "r05" is applied and differs from the uploaded one/, '... refused (PM021)') or diag $err;
is(received($at), 'r05', 'only the edited body was sent');
unlike($node->safe_psql($db, q{SELECT up_body FROM pgmig.revision WHERE revision = 'r05'}), qr/bigint/,
	'the stored body is unchanged');
open(my $fh, '>', "$dir/r05.sql") or die;
print $fh $r05;
close($fh);

# 4. Lint runs on what is uploaded.
setup('--dir', $dir, 'up');
rev($dir, 32, 'CREATE INDEX i32 ON t1 (id);');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 0, 'push of a revision with a lint warning') or diag $err;
like($out . $err, qr/r32\.sql:3: warning: .*\[L004 /, 'its warning names the file line');
rev($dir, 33);
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
unlike($out . $err, qr/L004/, 'the next push does not send r32 again, nor warn about it');
setup('--dir', $dir, 'up');

# 5. Every refusal at once, among the files sent.
rev($dir, 34, 'CREATE TABL t34 (id int);');
rev($dir, 35);
write_migration($dir, 'x1', ['r33'], "CREATE TABLE x1 (id int);\nSET ROLE postgres; -- [body x1]", undef);
$at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
is($rc, 1, 'a folder with two refused new revisions: exit 1');
like($err, qr/the server refused 2 revisions; 1 revision was not checked/, 'both refusals and the unchecked one')
  or diag $err;
like($err, qr/r35.*not checked/s, 'r35 not checked: its parent r34 was refused') or diag $err;
is(received($at), 'r34,r35,x1', 'no unchanged body was sent, neither first nor in the probes');
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.revision WHERE revision IN ('r34', 'r35', 'x1')}), '0',
	'nothing stored');
unlink("$dir/r34.sql", "$dir/r35.sql", "$dir/x1.sql");

# 6. A revision the server holds, the folder does not.
rev($dir, 34);
setup('--dir', $dir, 'push');
unlink("$dir/r34.sql");
for my $round (1, 2)
{
	$at = -s $node->logfile;
	($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, '--json', 'push');
	is($rc, 0, "folder without the stored r34, push $round") or diag $err;
	$doc = decode_json_ok($out);
	ok(!$doc->{push}{uploaded} && $doc->{push}{sent} == 0, "... sends nothing (push $round)");
	unlike(calls($at), qr/mig_upload_batch/, "... no upload call (push $round)");
}
is($node->safe_psql($db, q{SELECT count(*) FROM pgmig.revision WHERE revision = 'r34'}), '1', 'r34 stays stored');

# 7. A 0.6 server: the lines from mig_revisions.
$node->safe_psql($db, 'CREATE DATABASE old');
$node->safe_psql('old', q{SET client_min_messages = warning; CREATE EXTENSION pgmig VERSION '0.6'});
my $old = "$tmp/old";
rev($old, $_) for 1 .. 5;
($rc, $out, $err) = pgmig($node, 'old', '--dir', $old, 'up');
is($rc, 0, '0.6: up') or diag $err;
rev($old, 6);
$at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, 'old', '--dir', $old, '--json', 'push');
is($rc, 0, '0.6: push of one new file') or diag $err;
is(received($at), 'r06', '0.6: the server received the new body alone');
like(calls($at), qr/mig_revisions=1/, '0.6: the lines came from mig_revisions');
$doc = decode_json_ok($out);
is(join('|', map { $doc->{push}{$_} } qw(new unchanged sent)), '1|5|1', '0.6: JSON counts');
($rc, $out, $err) = pgmig($node, 'old', '--dir', $old, '--json', 'push');
$doc = decode_json_ok($out);
ok(!$doc->{push}{uploaded}, '0.6: and the next push is a no-op');

# 8. baseline on a database holding part of the folder.
$node->safe_psql($db, 'CREATE DATABASE adopt');
setup('-d', 'dbname=adopt', 'init');
my $adopt = "$tmp/adopt";
rev($adopt, $_) for 1 .. 3;
setup('-d', 'dbname=adopt', '--dir', $adopt, 'push');
$node->safe_psql('adopt', 'CREATE TABLE t1 (id int); CREATE TABLE t2 (id int); CREATE TABLE t3 (id int); '
	  . 'CREATE TABLE t4 (id int);');
rev($adopt, 4);
rev($adopt, 5);
$at = -s $node->logfile;
# (--no-schema-check: the shadow database the check builds in is on this
# server, and its uploads would be in the log too; 038 tests the check)
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $adopt, 'baseline', 'r04', '--no-schema-check');
is($rc, 0, 'baseline r04 with r01 to r03 already stored') or diag "$out\n$err";
is(received($at), 'r04,r05', 'baseline sent only the files the server lacked');
is($node->safe_psql('adopt', q{SELECT string_agg(revision, ',' ORDER BY revision) FROM pgmig.applied}),
	'r01,r02,r03,r04', 'and stamped r01 to r04');
($rc, $out, $err) = pgmig($node, 'adopt', '--dir', $adopt, 'up');
is($rc, 0, 'up applies r05') or diag $err;
is($node->safe_psql('adopt', q{SELECT to_regclass('t5') IS NOT NULL}), 't', 'r05 ran');

unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
