# 022_pgbouncer.pl — pgmig through PgBouncer in transaction pooling mode
# (RELIABILITY A3, issue 5): pool_mode = transaction, default_pool_size = 4,
# 16 clients.  Under transaction pooling every transaction (and every
# statement outside one) may run on a different server connection, and a
# server connection goes from one client to the next without any reset, so
# pgmig must carry no session state from one statement to the next and leave
# none behind.  PgBouncer (the Debian package, /usr/sbin/pgbouncer) runs in
# the foreground in front of one PostgreSQL::Test::Cluster node
# (test/perl/PgbouncerNode.pm); the checks of the outcome query the server
# directly, never through PgBouncer.
#
# 1. Concurrency (as 003 and 012, through the pooler): 16 clients released
#    together (they wait for a gate file; a session advisory lock as in 003
#    would itself leak through the pooler) on a 200-revision chain whose every
#    body inserts one row into exec_log: 4 `psql -c "SELECT count(*) FROM
#    pgmig.mig_apply('head', P)"`, 4 psql walking the chain in steps of 5 (one
#    autocommit statement each, so each step may take another server
#    connection) and 8 `pgmig up`.  Per round (PGMIG_BOUNCER_ROUNDS, default 1;
#    one project per round): every client exits 0, the clients report 200
#    revisions applied in all, exec_log has 200 rows, one per revision (0
#    duplicate executions), written by at most 4 backends (the pool), 200
#    applied and 200 apply events, no failure event, no advisory lock in
#    pg_locks, no lease.
# 2. Kills (PGMIG_BOUNCER_KILLS, default 5): `pgmig up` through PgBouncer is
#    killed with SIGKILL at a random moment (0.05 to 1 s after it starts, while
#    it pushes or applies 20 revisions of at least 40 ms each); after each:
#    no advisory lock within 1 s of the kill, no partial revision (a revision is
#    applied exactly when its table exists with all its rows), no lease, and
#    the next `pgmig up` through PgBouncer succeeds.
# 3. Session state does not leak between pooled clients.  8 `pgmig up` at
#    once, each with its own project, --lock-timeout and --wait; every body
#    records the settings it ran with.  Asserted: every body saw its own
#    client's pgmig.lock_timeout, idle_in_transaction_session_timeout = 60s,
#    client_connection_check_interval set and pgmig.fingerprint off (the
#    settings reached the transaction that needed them); afterwards four
#    transactions that occupy all four server connections of the pool see the
#    server's defaults and current_user (nothing a pgmig client set stayed on a
#    server connection); and a table made by hand before the runs is still
#    drift after them (the schema "before" a run is kept in pgmig.run_base
#    under the run's pgmig.run_id, not in a backend, so the closing snapshot
#    on whichever server connection it reaches compares with the run's own
#    "before" and does not accept the whole live schema).  The same 8 runs over direct connections are the control: they
#    show the expectations hold without a pooler.
# 4. Non-transactional revisions (CREATE INDEX CONCURRENTLY: the lease names
#    the backend that called mig_begin_nontx, the statement runs outside any
#    transaction after SET ROLE to the uploader, mig_finish_nontx must come
#    from the lease's backend): a 30-revision chain uploaded by the
#    low-privileged role deployer with a CIC at n10, applied by the superuser
#    through PgBouncer, first by one `pgmig up` alone, then by 8 at once while
#    4 psql sessions of the same user run short transactions through the same
#    pool (an application sharing the pooler).  Without --direct-dbname every
#    client refuses before n10 with a message that names the pooler (the
#    client sees that its statements run in another backend than the one
#    libpq was told of) and writes nothing of n10; with a --direct-dbname that
#    also goes through the pooler it refuses the same way.  With
#    --direct-dbname reaching the server, the 8 clients run n10 over that
#    connection and everything else through the pooler: all exit 0 and all 30
#    are applied.  In every case: no lease is left, no INVALID index, n10 is
#    recorded exactly when its index is valid, the index was built as deployer
#    (an event trigger records current_user), no server connection of the
#    pool is left with another role or pgmig's settings, and a following
#    `pgmig up` over a direct connection completes.
use strict;
use warnings;

use IPC::Run;
use List::Util qw(max min sum0);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgbouncerNode;
use PgmigTest;
use Test::More;
use Time::HiRes qw(time usleep);

plan skip_all => 'pgbouncer is not installed (' . PgbouncerNode::binary() . '; apt-get install pgbouncer)'
  unless PgbouncerNode::available();

my $clients   = 16;
my $revisions = 200;
my $rounds    = $ENV{PGMIG_BOUNCER_ROUNDS} // 1;
my $kills     = $ENV{PGMIG_BOUNCER_KILLS} // 5;
my $pool_size = 4;

my $node = PostgreSQL::Test::Cluster->new('bouncer');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 40\n");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;

my $pgb = PgbouncerNode->new($node,
	pool_mode => 'transaction',
	pool_size => $pool_size,
	max_client_conn => 100,
	users => [ 'postgres', 'deployer' ]);
$pgb->start;
note('pgbouncer ' . PgbouncerNode::binary() . ' on port ' . $pgb->port . ', pool_mode = transaction, default_pool_size = '
	  . $pool_size);

my $gate_no = 0;

# Starts one process per command (each [ \%env, argv... ]), every one of them
# waiting for a gate file, then creates the file; returns [exit code, stdout,
# stderr] per command once all have ended.
sub run_gated
{
	my (@cmds) = @_;
	my $gate = "$tmp/gate" . ++$gate_no;
	my (@h, @out, @err);
	for my $i (0 .. $#cmds)
	{
		my ($env, @argv) = @{ $cmds[$i] };
		local @ENV{ keys %$env } = values %$env;
		($out[$i], $err[$i]) = ('', '');
		push @h, IPC::Run::start(
			[ 'sh', '-c', 'while [ ! -e "$0" ]; do sleep 0.01; done; exec "$@"', $gate, @argv ],
			'<', \undef, '>', \$out[$i], '2>', \$err[$i]);
	}
	usleep(300_000);    # every shell is polling the gate by now
	open my $fh, '>', $gate or die "$gate: $!";
	close $fh;
	my @result;
	for my $i (0 .. $#h)
	{
		$h[$i]->finish;
		push @result, [ $h[$i]->result(0), $out[$i], $err[$i] ];
	}
	return @result;
}

# Runs one command to completion with extra environment: (exit, stdout, stderr).
sub run_env
{
	my ($env, @argv) = @_;
	local @ENV{ keys %$env } = values %$env;
	my ($out, $err) = ('', '');
	IPC::Run::run([@argv], '<', \undef, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# The environment of a client that goes through PgBouncer (optionally as another role).
sub via_bouncer
{
	my ($db, $user) = @_;
	my %env = $pgb->client_env($db);
	$env{PGUSER} = $user // 'postgres';
	return \%env;
}

# The environment of a client connected straight to the server.
sub direct
{
	my ($db) = @_;
	my %env = client_env($node, $db);
	$env{PGUSER} = 'postgres';
	return \%env;
}

# Advisory locks held or awaited on the server (all databases), from the server itself.
sub advisory_locks
{
	return $node->safe_psql('postgres', "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
}

# Polls until no advisory lock is left (at most $limit seconds): seconds waited, or undef.
sub wait_no_advisory_lock
{
	my ($since, $limit) = @_;
	while (1)
	{
		return time() - $since if advisory_locks() eq '0';
		return undef if time() - $since > $limit;
		usleep(10_000);
	}
}

# Writes a linear chain of migration files: ids from $make_id->(i), bodies from $body->(id, i).
sub write_chain
{
	my ($dir, $n, $make_id, $body) = @_;
	for my $i (1 .. $n)
	{
		write_migration($dir, $make_id->($i), $i > 1 ? [ $make_id->($i - 1) ] : [], $body->($make_id->($i), $i));
	}
	return $dir;
}

# Occupies every server connection of the pool at once with one psql
# transaction each and returns what each saw ('|'-separated rows of $select).
sub sample_server_connections
{
	my ($db, $select) = @_;
	my @cmds = map {
		[ {}, $pgb->psql_cmd($db, '-c', 'BEGIN', '-c', $select, '-c', 'SELECT pg_sleep(1)', '-c', 'COMMIT') ]
	} 1 .. $pool_size;
	my @rows;
	for my $r (run_gated(@cmds))
	{
		my ($rc, $out, $err) = @$r;
		die "sampling a server connection failed: $err" if $rc != 0;
		# psql -At prints BEGIN/COMMIT command tags too; keep the row with '|'
		push @rows, grep { /\|/ } split /\n/, $out;
	}
	return @rows;
}

# What a pooled server connection that received nothing from pgmig shows.
my $settings_select = q{SELECT pg_backend_pid(), current_user,
	current_setting('idle_in_transaction_session_timeout'), current_setting('client_connection_check_interval'),
	current_setting('lock_timeout'), coalesce(current_setting('pgmig.lock_timeout', true), '2s'),
	coalesce(current_setting('pgmig.nowait', true), 'off'), coalesce(current_setting('pgmig.fingerprint', true), 'on')};
my $clean_settings = 'postgres|0|0|0|2s|off|on';

# Asserts that every server connection of the pool shows the defaults.
sub check_pool_clean
{
	my ($db, $what) = @_;
	my @rows = sample_server_connections($db, $settings_select);
	my %pids = map { (split /\|/)[0] => 1 } @rows;
	my @dirty = grep { (s/^\d+\|//r) ne $clean_settings } @rows;
	note("$what: server connections sampled: " . scalar(keys %pids) . ": " . join('; ', @rows));
	is(scalar(@dirty), 0,
		"$what: no server connection of the pool carries a role or setting a pgmig client made "
		  . "(expected current_user, idle_in_transaction_session_timeout, client_connection_check_interval, "
		  . "lock_timeout, pgmig.lock_timeout, pgmig.nowait, pgmig.fingerprint = $clean_settings on each; "
		  . 'saw: ' . (@dirty ? 'pid|' . join(', pid|', @dirty) : 'none') . ')')
	  or diag(join("\n", @rows));
	return;
}

###########################################################################
# 1. Concurrency: 16 clients (8 psql mig_apply, 8 pgmig up) through PgBouncer
###########################################################################
$node->safe_psql('postgres', 'CREATE DATABASE conc');
$node->safe_psql('conc',
	'CREATE EXTENSION pgmig; CREATE TABLE exec_log (project text NOT NULL, rev text NOT NULL, pid int DEFAULT pg_backend_pid())');

my $bin = pgmig_bin();
my @round_seconds;
my ($dup_total, $fail_total) = (0, 0);
for my $round (1 .. $rounds)
{
	my $proj = "round$round";
	my $dir = write_chain("$tmp/conc$round", $revisions, sub { sprintf('r%03d', $_[0]) },
		sub { "INSERT INTO exec_log (project, rev) VALUES ('$proj', '$_[0]');" });
	my ($rc, $out, $err) = run_env(via_bouncer('conc'), $bin, '--dir', $dir, '--project', $proj, 'push');
	is($rc, 0, "$proj: the chain of $revisions revisions is pushed through PgBouncer") or diag("$out\n$err");

	my @cmds;
	for my $c (1 .. $clients)
	{
		if ($c % 4 == 1)
		{
			push @cmds, [ {}, $pgb->psql_cmd('conc', '-c', "SELECT count(*) FROM pgmig.mig_apply('head', '$proj')") ];
		}
		elsif ($c % 4 == 3)
		{
			# one autocommit statement per step: each may run on another server connection
			push @cmds, [ {}, $pgb->psql_cmd('conc',
				map { ('-c', "SELECT count(*) FROM pgmig.mig_apply('r" . sprintf('%03d', $_) . "', '$proj')") }
				grep { $_ % 5 == 0 } 1 .. $revisions) ];
		}
		else
		{
			push @cmds, [ via_bouncer('conc'), $bin, '--dir', $dir, '--project', $proj, '--json', 'up' ];
		}
	}
	my $t0 = time();
	my @result = run_gated(@cmds);
	push @round_seconds, time() - $t0;

	my ($failed, $reported, @by_client) = (0, 0);
	for my $c (0 .. $#result)
	{
		my ($rc, $out, $err) = @{ $result[$c] };
		my $n;
		if (($c + 1) % 2)
		{
			$n = sum0($out =~ /^(\d+)$/mg);
		}
		else
		{
			my $doc = decode_json_ok($out);
			$n = $doc && ref $doc->{revisions} eq 'ARRAY' ? scalar @{ $doc->{revisions} } : 0;
		}
		if ($rc != 0)
		{
			$failed++;
			diag("$proj: client " . ($c + 1) . " exited $rc:\n$out\n$err");
		}
		push @by_client, $n;
		$reported += $n;
	}
	$fail_total += $failed;
	note(sprintf('%s: %d clients in %.2f s; applied per client (1, 5, ... psql head; 3, 7, ... psql in steps of 5; even pgmig up): %s',
		$proj, $clients, $round_seconds[-1], join(' ', @by_client)));
	is($failed, 0, "$proj: every one of the $clients clients exited 0 (saw $failed failing)");
	is($reported, $revisions, "$proj: the clients report $revisions revisions applied in all (saw $reported)");
	my ($rows, $distinct) = split /\|/,
	  $node->safe_psql('conc', "SELECT count(*), count(DISTINCT rev) FROM exec_log WHERE project = '$proj'");
	$dup_total += $rows - $distinct;
	is("$rows|$distinct", "$revisions|$revisions",
		"$proj: exec_log has one row per revision, 0 duplicate executions (expected $revisions rows of $revisions revisions)");
	my $pids = $node->safe_psql('conc', "SELECT count(DISTINCT pid) FROM exec_log WHERE project = '$proj'");
	ok($pids >= 1 && $pids <= $pool_size,
		"$proj: the bodies ran on the pool's server connections (expected 1 to $pool_size backends, saw $pids)");
	is($node->safe_psql('conc', "SELECT count(*) FROM pgmig.applied WHERE project = '$proj'"),
		$revisions, "$proj: pgmig.applied has all $revisions revisions");
	is( $node->safe_psql('conc',
			"SELECT count(*) || '|' || count(DISTINCT revision) FROM pgmig.event WHERE project = '$proj' AND kind = 'apply'"),
		"$revisions|$revisions",
		"$proj: exactly one apply event per revision");
	is($node->safe_psql('conc', "SELECT count(*) FROM pgmig.event WHERE project = '$proj' AND kind = 'failure'"),
		'0', "$proj: no failure event");
	my $locks = advisory_locks();
	is($locks, '0', "$proj: no advisory lock in pg_locks after the run (saw $locks)");
	is($node->safe_psql('conc', 'SELECT count(*) FROM pgmig.nontx_lease'), '0', "$proj: no lease");
}
note('pgbouncer SHOW STATS for conc (xacts, queries, wait time in us): '
	  . join('|', (split /\|/, (grep { /^conc\|/ } split /\n/, $pgb->admin('SHOW STATS'))[0] // '')[ 1, 2, 7 ]));
note(sprintf('concurrency: %d round(s) of %d clients x %d revisions: %d failing clients, %d duplicate executions, '
	  . 'round time max %.2f s', $rounds, $clients, $revisions, $fail_total, $dup_total, max(@round_seconds)));
# for docs/stress.md (scripts/stress.sh collects "# figure:" lines)
diag("figure: bouncer_rounds = $rounds");
diag("figure: bouncer_clients = $clients (pool of $pool_size server connections)");
diag("figure: bouncer_duplicate_executions = $dup_total");
diag("figure: bouncer_failed_clients = $fail_total");
diag(sprintf('figure: bouncer_round_seconds_max = %.2f', max(@round_seconds)));

###########################################################################
# 2. Kills: SIGKILL of `pgmig up` through PgBouncer at a random moment
###########################################################################
$node->safe_psql('postgres', 'CREATE DATABASE kill');
my $per_kill = 20;
my $kill_rows = 20000;
my $kill_dir = write_chain("$tmp/kill", $kills * $per_kill, sub { sprintf('k%04d', $_[0]) },
	sub { "CREATE TABLE t_$_[0] (id int);\nINSERT INTO t_$_[0] SELECT generate_series(1, $kill_rows);\nSELECT pg_sleep(0.04);" });
my ($rc, $out, $err) = run_env(via_bouncer('kill'), $bin, 'init');
is($rc, 0, 'kill: pgmig init through PgBouncer') or diag("$out\n$err");

# SQL counting the partial revisions among revisions k$from .. k$to: applied
# without its table or with fewer rows, or a table without the revision.
sub partial_sql
{
	my ($from, $to) = @_;
	return qq{SELECT count(*) FROM (
	SELECT r.revision, a.revision IS NOT NULL AS applied,
	       to_regclass('t_' || r.revision) IS NOT NULL AS has_table
	  FROM pgmig.revision r LEFT JOIN pgmig.applied a USING (project, revision)
	 WHERE r.project = 'default' AND r.revision BETWEEN '$from' AND '$to') x
 WHERE applied <> has_table
    OR (applied AND (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM t_' || revision, false, true, '')))[1]::text::int <> $kill_rows)};
}

my (@release, @applied_at_kill);
my ($kill_failures, $kill_hits) = (0, 0);
for my $k (1 .. $kills)
{
	my $target = sprintf('k%04d', $k * $per_kill);
	my $delay = 0.05 + rand(0.95);
	my ($o, $e) = ('', '');
	my $h;
	{
		my $env = via_bouncer('kill');
		local @ENV{ keys %$env } = values %$env;
		$h = IPC::Run::start([ $bin, '--dir', $kill_dir, 'up', $target ], '<', \undef, '>', \$o, '2>', \$e);
	}
	usleep(int($delay * 1e6));
	$h->signal('KILL');
	my $killed_at = time();
	$h->finish;
	$kill_hits++ if ($h->full_result(0) & 127) == 9;    # it was still running
	my $released = wait_no_advisory_lock($killed_at, 10);
	push @release, $released // 10;
	my $applied = $node->safe_psql('kill', "SELECT count(*) FROM pgmig.applied WHERE project = 'default'");
	push @applied_at_kill, $applied;
	ok(defined $released && $released <= 1.0,
		sprintf('kill %d (after %.2f s, %d applied): no advisory lock within 1 s of SIGKILL (took %s)',
			$k, $delay, $applied, defined $released ? sprintf('%.3f s', $released) : 'more than 10 s'));
	is($node->safe_psql('kill', partial_sql(sprintf('k%04d', ($k - 1) * $per_kill + 1), $target)), '0',
		"kill $k: no partial revision (applied <=> its table exists with $kill_rows rows)");
	is($node->safe_psql('kill', 'SELECT count(*) FROM pgmig.nontx_lease'), '0', "kill $k: no lease");
	my ($rc2, $o2, $e2) = run_env(via_bouncer('kill'), $bin, '--dir', $kill_dir, 'up', $target);
	$kill_failures++ if $rc2 != 0;
	is($rc2, 0, "kill $k: the next pgmig up through PgBouncer succeeds") or diag("$o2\n$e2");
	is($node->safe_psql('kill', "SELECT count(*) FROM pgmig.applied WHERE project = 'default'"),
		$k * $per_kill, "kill $k: and every revision up to $target is applied");
}
is($node->safe_psql('kill', partial_sql('k0000', 'k9999')), '0', 'kill: no partial revision at the end');
ok($kill_hits >= 1, "kill: at least one SIGKILL hit a running client (saw $kill_hits of $kills)");
note(sprintf('kills: %d, %d of them while the client ran; lock released after SIGKILL in max %.3f s (each: %s); applied when killed: %s; failed next up: %d',
	$kills, $kill_hits, max(@release), join(' ', map { sprintf('%.3f', $_) } @release), join(' ', @applied_at_kill),
	$kill_failures));
diag("figure: bouncer_kills = $kills ($kill_hits while the client ran)");
diag(sprintf('figure: bouncer_kill_lock_release_max_ms = %.0f', max(@release) * 1000));
diag("figure: bouncer_kill_failed_next_up = $kill_failures");

###########################################################################
# 3. Session state does not leak between pooled clients
###########################################################################
# 8 concurrent `pgmig up`, each with its own project, --lock-timeout and
# --wait, over the given connection (through PgBouncer, or direct as the
# control that shows the expectations hold without a pooler); every body
# records the settings it runs with; drift made by hand before must survive.
sub leak_case
{
	my ($db, $bouncer) = @_;
	my $what = $bouncer ? 'leak, through PgBouncer' : 'leak, direct (control)';
	my $env = $bouncer ? via_bouncer($db) : direct($db);
	my $n_clients = 8;
	my $n_revs = 5;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db,
		'CREATE EXTENSION pgmig; CREATE TABLE seen (project text, rev text, lock_timeout_ms int, idle_tx text, '
		  . 'check_interval text, fingerprint text, pid int)');
	my ($rc, $out, $err) = run_env($env, $bin, 'snapshot');
	is($rc, 0, "$what: the schema is recorded (pgmig snapshot)") or diag("$out\n$err");
	$node->safe_psql($db, 'CREATE TABLE made_by_hand (id int)');
	my $drift_sql = q{SELECT string_agg(change || ' ' || identity, ',') FROM pgmig.mig_drift()};
	like($node->safe_psql($db, $drift_sql), qr/added .*made_by_hand/, "$what: a table made by hand is drift before the runs");

	my @cmds;
	for my $c (1 .. $n_clients)
	{
		my $proj = "leak$c";
		my $dir = write_chain("$tmp/$db$c", $n_revs, sub { "l$_[0]" },
			sub {
				"INSERT INTO seen SELECT '$proj', '$_[0]', (SELECT setting::int FROM pg_settings WHERE name = 'pgmig.lock_timeout'), "
				  . "current_setting('idle_in_transaction_session_timeout'), current_setting('client_connection_check_interval'), "
				  . "current_setting('pgmig.fingerprint'), pg_backend_pid();";
			});
		push @cmds, [ $env, $bin, '--dir', $dir, '--project', $proj,
			'--lock-timeout', (1000 + $c) . 'ms', '--wait', (300000 + $c) . 'ms', 'up' ];
	}
	my @result = run_gated(@cmds);
	my $failed = grep { $_->[0] != 0 } @result;
	is($failed, 0, "$what: the $n_clients concurrent pgmig up exit 0 (saw $failed failing)")
	  or diag(join("\n", map { "$_->[1]\n$_->[2]" } @result));
	is($node->safe_psql($db, 'SELECT count(*) FROM seen'), $n_clients * $n_revs,
		"$what: every body ran once (" . $n_clients * $n_revs . ' rows in seen)');
	my ($wrong_lt, $wrong_idle, $wrong_check, $wrong_fp, $pids) = split /\|/, $node->safe_psql($db, q{
		SELECT count(*) FILTER (WHERE lock_timeout_ms <> 1000 + substr(project, 5)::int) || '|'
		    || count(*) FILTER (WHERE idle_tx <> '1min') || '|'
		    || count(*) FILTER (WHERE check_interval = '0') || '|'
		    || count(*) FILTER (WHERE fingerprint <> 'on') || '|'
		    || count(DISTINCT pid)
		  FROM seen});
	note("$what: the " . $n_clients * $n_revs . " bodies ran on $pids server connection(s)");
	ok($pids <= $pool_size, "$what: the bodies ran on at most $pool_size server connections (saw $pids)") if $bouncer;
	is($wrong_lt, 0,
		"$what: every body ran with its own client's --lock-timeout as pgmig.lock_timeout (saw $wrong_lt of "
		  . $n_clients * $n_revs . ' with another value)')
	  or diag($node->safe_psql($db, 'SELECT * FROM seen ORDER BY project, rev'));
	is($wrong_idle, 0, "$what: every body ran with idle_in_transaction_session_timeout = 60s (saw $wrong_idle without)");
	is($wrong_check, 0, "$what: every body ran with client_connection_check_interval set (saw $wrong_check with 0)");
	is($wrong_fp, 0, "$what: every body ran with pgmig.fingerprint on: each call records what it changed (saw $wrong_fp "
		  . "with another value)");
	check_pool_clean($db, "$what: after $n_clients concurrent pgmig up") if $bouncer;
	my $drift = $node->safe_psql($db, $drift_sql);
	like($drift, qr/added .*made_by_hand/,
		"$what: the table made by hand is still drift after the runs, not taken for pgmig's change (drift now: '$drift')");
	return;
}

leak_case('leakdirect', 0);
leak_case('leak', 1);

###########################################################################
# 4. Non-transactional revisions through transaction pooling
###########################################################################
# Runs the CIC chain in a fresh database with the given number of concurrent
# `pgmig up` through PgBouncer, optionally while $noise psql sessions of the
# same database and user run short transactions through the same pool (an
# application sharing the pooler), and asserts what pgmig must guarantee.
sub nontx_case
{
	my ($db, $n_clients, $noise, $direct_to) = @_;
	my $what = "nontx, $n_clients client(s)" . ($noise ? " and $noise busy sessions" : '')
	  . ($direct_to ? ", --direct-dbname to the $direct_to" : '');
	my $direct_conn = !$direct_to ? undef
	  : $direct_to eq 'server' ? 'host=' . $node->host . ' port=' . $node->port . " dbname=$db user=postgres"
	  :                          'host=' . $pgb->host . ' port=' . $pgb->port . " dbname=$db user=postgres";
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION pgmig');
	$node->safe_psql($db, q{DO $$BEGIN CREATE ROLE deployer LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$});
	$node->safe_psql($db, "GRANT pgmig_deployer TO deployer; GRANT CREATE ON SCHEMA public TO deployer");
	# who builds the index: current_user at the end of every CREATE INDEX
	$node->safe_psql($db, q{
		CREATE TABLE index_builder (role text, pid int);
		GRANT INSERT ON index_builder TO PUBLIC;
		CREATE FUNCTION note_index_builder() RETURNS event_trigger LANGUAGE plpgsql
		  AS $$BEGIN INSERT INTO public.index_builder VALUES (current_user, pg_backend_pid()); END$$;
		CREATE EVENT TRIGGER note_index_builder ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
		  EXECUTE FUNCTION note_index_builder();});
	my $dir = "$tmp/$db";
	write_migration($dir, 'n01', [],
		"CREATE TABLE items (id int, v int);\nINSERT INTO items SELECT g, g % 97 FROM generate_series(1, 100000) g;\nCREATE TABLE exec_log (rev text);"
	);
	for my $i (2 .. 30)
	{
		my $id = sprintf('n%02d', $i);
		write_migration($dir, $id, [ sprintf('n%02d', $i - 1) ],
			$i == 10 ? 'CREATE INDEX CONCURRENTLY items_v_idx ON items (v);' : "INSERT INTO exec_log VALUES ('$id');");
	}
	my ($rc, $out, $err) = run_env(via_bouncer($db, 'deployer'), $bin, '--dir', $dir, 'push');
	is($rc, 0, "$what: the chain is uploaded by the role deployer") or diag("$out\n$err");

	my @noise;
	if ($noise)
	{
		my $file = "$tmp/$db-noise.sql";
		open my $fh, '>', $file or die "$file: $!";
		print $fh "SELECT pg_sleep(0.005);\n" x 20000;
		close $fh;
		for (1 .. $noise)
		{
			my $ignored = '';
			push @noise, IPC::Run::start([ $pgb->psql_cmd($db, '-q', '-o', '/dev/null', '-f', $file) ],
				'<', \undef, '>', \$ignored, '2>', \$ignored);
		}
	}
	my @direct_args = $direct_conn ? ('--direct-dbname', $direct_conn) : ();
	my @result =
	  run_gated(map { [ via_bouncer($db), $bin, '--dir', $dir, '--wait', '8s', @direct_args, 'up' ] } 1 .. $n_clients);
	for my $h (@noise)
	{
		$h->kill_kill;
	}
	my ($ok, $refused, $other) = (0, 0, 0);
	for my $c (0 .. $#result)
	{
		my ($rc, $out, $err) = @{ $result[$c] };
		if ($rc == 0) { $ok++ }
		elsif ($err =~ /pgbouncer|pooler|pool_mode|transaction pooling/i)
		{
			$refused++;
			note("$what: client " . ($c + 1) . " refused: $err") if $refused == 1;
		}
		else
		{
			$other++;
			note("$what: client " . ($c + 1) . " exited $rc:\n$err");
		}
	}
	my $state = $node->safe_psql($db, q{SELECT
		(SELECT count(*) FROM pgmig.applied),
		(SELECT count(*) FROM pgmig.nontx_lease),
		(SELECT string_agg(backend_pid || ' ' || alive, ',') FROM pgmig.mig_lease()),
		(SELECT string_agg(indisvalid::text, ',') FROM pg_index WHERE indexrelid = to_regclass('items_v_idx')),
		(SELECT count(*) FROM pgmig.applied WHERE revision = 'n10'),
		(SELECT count(*) FROM pgmig.event WHERE revision = 'n10' AND kind = 'start'),
		(SELECT count(*) || '/' || count(DISTINCT rev) FROM exec_log)});
	note("$what: exit 0: $ok, refused naming the pooler: $refused, other failures: $other; "
		  . "applied|leases|lease pid alive|index valid|n10 applied|n10 start events|exec_log rows/distinct = $state");
	my ($applied, $leases, $lease, $valid, $n10, $starts, $log) = split /\|/, $state, -1;
	is($other, 0, "$what: every client either exits 0 or refuses naming the pooler (saw $other failing otherwise)");
	if ($direct_to && $direct_to eq 'server')
	{
		is("$ok|$refused", "$n_clients|0", "$what: every client exits 0 (exit 0: $ok, refused: $refused)");
		is($applied, 30, "$what: all 30 revisions are applied (saw $applied)");
	}
	else
	{
		is($refused, $n_clients, "$what: every client refuses naming the pooler (saw $refused of $n_clients)");
		is($starts, 0, "$what: nothing of n10 was written (saw $starts start events)");
		if ($direct_to)
		{
			my $named = grep { $_->[2] =~ /--direct-dbname also goes through a connection pooler/ } @result;
			is($named, $n_clients, "$what: the refusal says --direct-dbname goes through the pooler too");
		}
		else
		{
			my $hinted = grep { $_->[2] =~ /HINT: .*--direct-dbname/ || $_->[2] =~ /--direct-dbname/ } @result;
			is($hinted, $n_clients, "$what: the refusal points to --direct-dbname");
		}
	}
	is($leases, 0, "$what: no lease is left (saw " . ($lease || 'none') . ')');
	isnt($valid, 'false', "$what: no INVALID index is left");
	is($n10, $valid eq 'true' ? 1 : 0,
		"$what: n10 is recorded exactly when its index is valid (index valid: " . ($valid || 'no index')
		  . ", n10 applied: $n10)");
	my $builders = $node->safe_psql($db, q{SELECT coalesce(string_agg(role, ','), 'nobody') FROM index_builder});
	is($builders, $valid eq 'true' ? 'deployer' : 'nobody',
		"$what: the index was built once, as deployer, the role that uploaded the revision (built by: $builders)");
	check_pool_clean($db, "$what: afterwards");

	($rc, $out, $err) = run_env(direct($db), $bin, '--dir', $dir, '--wait', '5s', 'up');
	is($rc, 0, "$what: a following pgmig up over a direct connection completes") or diag("$out\n$err");
	is($node->safe_psql($db, q{SELECT (SELECT count(*) FROM pgmig.applied) || '|'
		|| (SELECT count(*) || '/' || count(DISTINCT rev) FROM exec_log) || '|'
		|| (SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('items_v_idx'))}),
		'30|28/28|true', "$what: then all 30 are applied, every body ran once, the index is valid");
	return;
}

nontx_case('nontx1', 1, 0);
nontx_case('nontx8', 8, 4);
nontx_case('nontxbouncer', 1, 0, 'pooler');
nontx_case('nontxdirect', 8, 4, 'server');

###########################################################################
is(advisory_locks(), '0', 'no advisory lock is left at the end');
$pgb->stop;
my $bouncer_log = $pgb->log_content;
my @bouncer_errors = grep { /ERROR|FATAL|WARNING/ } split /\n/, $bouncer_log;
my %closing;
$closing{$1}++ while $bouncer_log =~ /closing because: ([^(\n]*)/g;
note('pgbouncer log: connections closed because: '
	  . join('; ', map { "$_ x $closing{$_}" } sort keys %closing) . '; '
	  . scalar(@bouncer_errors) . " error/warning line(s)\n"
	  . join("\n", @bouncer_errors[ 0 .. min(9, $#bouncer_errors) ]));
$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend terminated by a signal');
done_testing();

