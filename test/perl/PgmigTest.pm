# test/perl/PgmigTest.pm — helpers for the TAP tests that run the real pgmig
# client (PGMIG_BIN, set by scripts/test.sh) against a
# PostgreSQL::Test::Cluster node.
#
# pgmig() runs the client to completion and returns (exit code, stdout,
# stderr); pgmig_start() starts it in the background and returns an
# IPC::Run harness with the output going into the given scalar refs.  Both
# point libpq at the node through PGHOST/PGPORT/PGDATABASE and set NO_COLOR,
# so output never carries colour codes.
package PgmigTest;

use strict;
use warnings;

use Exporter 'import';
use File::Path qw(make_path);
use IPC::Run;
use JSON::PP;

our @EXPORT = qw(pgmig pgmig_bin client_env pgmig_start write_migration decode_json_ok wait_for_query);

# The client binary under test.
sub pgmig_bin
{
	my $bin = $ENV{PGMIG_BIN};
	die "PGMIG_BIN is not set (run the TAP tests through scripts/test.sh)" unless $bin && -x $bin;
	return $bin;
}

# The environment the client gets for a node and database.
sub client_env
{
	my ($node, $dbname) = @_;
	return (
		PGHOST     => $node->host,
		PGPORT     => $node->port,
		PGDATABASE => $dbname,
		NO_COLOR   => '1');
}

# Runs pgmig to completion: returns (exit code, stdout, stderr).
sub pgmig
{
	my ($node, $dbname, @args) = @_;
	my ($out, $err) = ('', '');
	my %env = client_env($node, $dbname);
	local @ENV{ keys %env } = values %env;
	IPC::Run::run([ pgmig_bin(), @args ], '<', \undef, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# Starts pgmig in the background; its output goes to $$out and $$err.
sub pgmig_start
{
	my ($node, $dbname, $out, $err, @args) = @_;
	my %env = client_env($node, $dbname);
	local @ENV{ keys %env } = values %env;
	return IPC::Run::start([ pgmig_bin(), @args ], '<', \undef, '>', $out, '2>', $err);
}

# Writes one migration file: dir, id, parents (array ref), up, down (may be undef).
sub write_migration
{
	my ($dir, $id, $parents, $up, $down, %extra) = @_;
	make_path($dir);
	my $text = "-- pgmig:revision $id\n";
	$text .= "-- pgmig:parents " . join(' ', @$parents) . "\n" if @$parents;
	$text .= "-- pgmig:branch $extra{branch}\n" if $extra{branch};
	$text .= "-- pgmig:message $extra{message}\n" if $extra{message};
	$text .= "$up\n";
	$text .= "\n-- pgmig:down\n$down\n" if defined $down;
	open(my $fh, '>', "$dir/$id.sql") or die "cannot write $dir/$id.sql: $!";
	print $fh $text;
	close($fh);
	return "$dir/$id.sql";
}

# Decodes a JSON document, or returns undef (the test then fails on it).
sub decode_json_ok
{
	my ($text) = @_;
	my $doc = eval { JSON::PP->new->decode($text) };
	return $doc;
}

# Polls a query until it returns 't' (at most $seconds); returns true if it did.
sub wait_for_query
{
	my ($node, $dbname, $query, $seconds) = @_;
	$seconds //= 60;
	for (1 .. $seconds * 10)
	{
		my $r = $node->safe_psql($dbname, $query);
		return 1 if $r eq 't';
		select(undef, undef, undef, 0.1);
	}
	return 0;
}

1;
