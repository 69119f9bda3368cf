# test/perl/PgbouncerNode.pm — a PgBouncer in front of a
# PostgreSQL::Test::Cluster node, for the TAP tests that run pgmig through a
# pooler (RELIABILITY A3).
#
#   my $pgb = PgbouncerNode->new($node, pool_mode => 'transaction', pool_size => 4,
#                                users => ['postgres', 'deployer']);
#   $pgb->start;                       # runs /usr/sbin/pgbouncer in the foreground under IPC::Run
#   my %env = $pgb->client_env('db');  # PGHOST/PGPORT pointing at PgBouncer (TCP 127.0.0.1)
#   $pgb->psql('db', 'SELECT 1');      # (exit code, stdout, stderr) of psql through PgBouncer
#   $pgb->stop;
#
# The pgbouncer.ini is written into a fresh temporary directory: listen on
# 127.0.0.1 and a port from get_free_port(), a Unix socket in a short
# temporary directory, auth_type = trust with an auth_file listing the given
# users, every database forwarded to the node's socket directory and port.
# pgbouncer runs as the test's OS user; its log is kept in that directory
# (log_content() returns it) and never goes to a pipe.  The process is also
# killed when the test script exits without calling stop().  The binary is
# /usr/sbin/pgbouncer (Debian's package), or $PGMIG_PGBOUNCER when set;
# available() tells a test whether to skip.
package PgbouncerNode;

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Time::HiRes qw(usleep);

# Every instance started and not yet stopped, for the END block.
my @running;

# Where the Debian package installs the binary (it is not on postgres's PATH).
sub binary
{
	return $ENV{PGMIG_PGBOUNCER} // '/usr/sbin/pgbouncer';
}

# Whether the binary is there; the test skips itself otherwise.
sub available
{
	return -x binary();
}

# Writes the configuration for a node; nothing runs yet.
sub new
{
	my ($class, $node, %opt) = @_;
	my $self = bless {
		node      => $node,
		pool_mode => $opt{pool_mode} // 'transaction',
		pool_size => $opt{pool_size} // 4,
		max_conn  => $opt{max_client_conn} // 100,
		users     => $opt{users} // ['postgres'],
		extra     => $opt{extra} // '',
		port      => PostgreSQL::Test::Cluster::get_free_port(),
		dir       => PostgreSQL::Test::Utils::tempdir('pgbouncer'),
		sockdir   => PostgreSQL::Test::Utils::tempdir_short(),
	}, $class;
	$self->{ini} = "$self->{dir}/pgbouncer.ini";
	$self->{log} = "$self->{dir}/pgbouncer.log";

	open my $uf, '>', "$self->{dir}/userlist.txt" or die "userlist.txt: $!";
	print $uf qq{"$_" ""\n} for @{ $self->{users} };
	close $uf;

	my $host = $node->host;
	my $nport = $node->port;
	my $admin = $self->{users}[0];
	open my $fh, '>', $self->{ini} or die "$self->{ini}: $!";
	print $fh <<"EOF";
[databases]
* = host=$host port=$nport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $self->{port}
unix_socket_dir = $self->{sockdir}
auth_type = trust
auth_file = $self->{dir}/userlist.txt
admin_users = $admin
pool_mode = $self->{pool_mode}
default_pool_size = $self->{pool_size}
max_client_conn = $self->{max_conn}
logfile = $self->{log}
pidfile = $self->{dir}/pgbouncer.pid
log_connections = 0
log_disconnections = 1
$self->{extra}
EOF
	close $fh;
	return $self;
}

# The TCP port PgBouncer listens on.
sub port { return $_[0]->{port} }

# The host clients connect to.
sub host { return '127.0.0.1' }

# Starts pgbouncer and waits until a query passes through it.
sub start
{
	my ($self) = @_;
	# -q: no log on stderr (the log file has it).  Output goes to a file, not
	# to a pipe: nobody reads a pipe while the test runs, and pgbouncer would
	# block writing to a full one.
	my $output = "$self->{dir}/pgbouncer.out";
	$self->{h} = IPC::Run::start([ binary(), '-q', $self->{ini} ], '<', \undef, '>', $output, '2>&1');
	push @running, $self;
	for (1 .. 100)
	{
		my ($rc) = $self->psql('postgres', 'SELECT 1');
		return $self if $rc == 0;
		usleep(100_000);
	}
	die "pgbouncer did not come up on port $self->{port}:\n"
	  . PostgreSQL::Test::Utils::slurp_file($output) . "\n" . $self->log_content;
}

# Stops pgbouncer (SIGTERM: immediate shutdown in 1.18) and waits for it.
sub stop
{
	my ($self) = @_;
	return unless $self->{h};
	$self->{h}->signal('TERM');
	eval { $self->{h}->finish; };
	delete $self->{h};
	@running = grep { $_ != $self } @running;
	return;
}

# The environment a client (pgmig, psql) gets to go through PgBouncer.
sub client_env
{
	my ($self, $dbname) = @_;
	return (
		PGHOST     => $self->host,
		PGPORT     => $self->{port},
		PGDATABASE => $dbname,
		NO_COLOR   => '1');
}

# The psql command line through PgBouncer (no psqlrc, unaligned, tuples only).
sub psql_cmd
{
	my ($self, $dbname, @extra) = @_;
	return ('psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', $self->host, '-p', $self->{port},
		'-d', $dbname, @extra);
}

# Runs SQL through PgBouncer with psql: (exit code, stdout, stderr).
sub psql
{
	my ($self, $dbname, $sql) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $self->psql_cmd($dbname, '-c', $sql) ], '<', \undef, '>', \$out, '2>', \$err);
	chomp $out;
	return ($? >> 8, $out, $err);
}

# Runs a command on the admin console (SHOW POOLS, ...): its rows, '|'-separated.
sub admin
{
	my ($self, $command) = @_;
	my ($rc, $out, $err) = $self->psql('pgbouncer', $command);
	die "pgbouncer admin console: $command: $err" if $rc != 0;
	return $out;
}

# The log file's content.
sub log_content
{
	my ($self) = @_;
	return -e $self->{log} ? PostgreSQL::Test::Utils::slurp_file($self->{log}) : '';
}

END
{
	for my $p (@running)
	{
		eval { $p->{h}->kill_kill; };
	}
}

1;
