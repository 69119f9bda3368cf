#!/usr/bin/env python3
"""scripts/bench/report.py: write docs/benchmarks.md and its chart from a run.

    report.py [--extras EXTRAS.txt] OUT.md OUT.png RESULTS.json [RESULTS.json...]

RESULTS.json is what run.py wrote (several: runs of different parts or N,
merged; the page lists each run); EXTRAS.txt, when given, is the output of the
later sections of scripts/bench.sh (fingerprint, linter comparison, graph
core), included as it is.  Every figure and every "met / not met" is computed
here from RESULTS.json: nothing in the page is typed by hand.  The chart is
drawn by gnuplot with scripts/bench/chart.gp; without gnuplot the page is
still written and says the chart is missing.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["psql1", "psqltx", "pgmig", "pgmig_atomic", "mig_apply", "alembic", "sqitch", "dbmate", "npm"]
SHORT = {
    "psql1": "psql -1",
    "psqltx": "psql, tx per revision",
    "pgmig": "pgmig up",
    "pgmig_atomic": "pgmig up --atomic",
    "mig_apply": "mig_apply()",
    "alembic": "Alembic",
    "sqitch": "Sqitch",
    "dbmate": "dbmate",
    "npm": "node-pg-migrate",
}
# Each tool's colour in the chart.
COLOR = {
    "psql1": "#000000",
    "psqltx": "#777777",
    "pgmig": "#d62728",
    "pgmig_atomic": "#ff7f0e",
    "mig_apply": "#e377c2",
    "alembic": "#1f77b4",
    "sqitch": "#2ca02c",
    "dbmate": "#9467bd",
    "npm": "#17becf",
}
# How each peer runs its revisions by default (what `apply` measured).
TX = {
    "psql1": "one transaction for all",
    "psqltx": "one per revision",
    "pgmig": "one per revision (push first)",
    "pgmig_atomic": "one for all (push first)",
    "mig_apply": "one for all (upload not timed)",
    "alembic": "one for all (env.py default)",
    "sqitch": "one per change (BEGIN/COMMIT in each script; one psql process per change)",
    "dbmate": "one per migration",
    "npm": "one for all (--single-transaction is its default)",
}


def fmt_s(x):
    """Seconds, to a sensible precision."""
    if x is None:
        return "–"
    if x >= 100:
        return "%.0f s" % x
    if x >= 10:
        return "%.1f s" % x
    if x >= 1:
        return "%.2f s" % x
    return "%.0f ms" % (x * 1000) if x >= 0.1 else "%.1f ms" % (x * 1000)


def fmt_ms(x):
    """Milliseconds given in seconds."""
    return "–" if x is None else ("%.0f ms" % (x * 1000) if x >= 0.1 else "%.1f ms" % (x * 1000))


def fmt_n(n):
    """10000 -> 10,000."""
    return "{:,}".format(int(n))


def med(d, *keys):
    """d[keys...]['median'] or None."""
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d.get("median") if isinstance(d, dict) and not d.get("error") else None


def targets(r):
    """[(target, figure, limit, verdict)] computed from the results."""
    out = []
    apply = r.get("apply", {})
    for n in ("1000", "10000"):
        p = med(apply, n, "pgmig")
        floor = apply.get(n, {}).get("pgmig", {}).get("_floor")
        t = "`pgmig up` ≤ 1.05 × the faster of `psql -1` and psql with one transaction per revision, N = %s" % fmt_n(n)
        if p is None or not floor:
            out.append((t, "not measured", "1.05×", "**not measured**"))
            continue
        ratio = p / floor
        out.append(
            (t, "%s / %s = %.2f×" % (fmt_s(p), fmt_s(floor), ratio), "1.05×",
             "met" if ratio <= 1.05 else "**not met** (%.2f× the limit)" % (ratio / 1.05))
        )
    noop = r.get("noop", {})
    p = med(noop, "10000", "pgmig")
    tam = r.get("tamper", {}).get("pgmig")
    t = "no-op `pgmig up` on a 10,000-revision history ≤ 30 ms, verifying every file's checksum"
    if p is None:
        out.append((t, "not measured", "30 ms", "**not measured**"))
    else:
        verified = bool(tam and tam.get("detected"))
        if p > 0.030:
            verdict = "**not met** (%.1f× the limit)" % (p / 0.030)
        elif not verified:
            verdict = "**not met** (an edited applied file was not refused)" if tam else "**not shown** (edited-file check not run)"
        else:
            verdict = "met"
        note = "; an edited applied file is refused" if verified else ""
        out.append((t, fmt_ms(p) + note, "30 ms", verdict))
    d = med(noop, "10000", "dbmate")
    t = "no-op `pgmig up` faster than dbmate's no-op (which checks no checksum), 10,000 revisions"
    if p is None or d is None:
        out.append((t, "not measured", "< dbmate", "**not measured**"))
    else:
        out.append((t, "%s vs %s (%.2f×)" % (fmt_ms(p), fmt_ms(d), p / d), "< 1×", "met" if p < d else "**not met** (%.2f× dbmate's)" % (p / d)))
    for peer in ("alembic", "npm", "sqitch"):
        q = med(noop, "10000", peer)
        t = "no-op `pgmig up` ≥ 20× faster than %s's no-op, 10,000 revisions" % SHORT[peer]
        if p is None or q is None:
            out.append((t, "not measured", "≥ 20×", "**not measured**"))
        else:
            f = q / p
            out.append((t, "%s vs %s: %.1f× faster" % (fmt_ms(p), fmt_ms(q), f), "≥ 20×",
                        "met" if f >= 20 else "**not met** (%.1f× instead of 20×)" % f))
    h = r.get("heads")
    t = "`mig_heads()` on 100,000 revisions ≤ 50 ms in the server"
    if not h:
        out.append((t, "not measured", "50 ms", "**not measured**"))
    else:
        ms = h["server_ms_new_session"]["median"]
        size = h["revisions"]
        fig = "%.1f ms (first call in a session; %.1f ms for a second call)" % (ms, h["server_ms_same_session"]["median"])
        if size < 100000:
            out.append((t, fig + " on %s revisions only" % fmt_n(size), "50 ms", "**not measured at 100,000**"))
        else:
            out.append((t, fig, "50 ms", "met" if ms <= 50 else "**not met** (%.1f× the limit)" % (ms / 50)))
    return out


def write_chart(r, png):
    """Draw the chart with gnuplot; None on success, else why not."""
    apply = r.get("apply", {})
    noop = r.get("noop", {})
    ns = sorted(set(int(n) for n in list(apply) + list(noop)))
    if not ns:
        return "no figures"
    tools = [t for t in ORDER if any(med(apply, str(n), t) is not None for n in ns)]
    ntools = [t for t in ORDER if any(med(noop, str(n), t) is not None for n in ns)]
    if not tools and not ntools:
        return "no figures"
    d = tempfile.mkdtemp(prefix="pgmig-chart.")
    ap, np_ = os.path.join(d, "apply.dat"), os.path.join(d, "noop.dat")
    with open(ap, "w") as f:
        f.write("N " + " ".join('"%s"' % SHORT[t] for t in tools) + "\n")
        for n in ns:
            f.write("%d " % n + " ".join("%.6f" % med(apply, str(n), t) if med(apply, str(n), t) else "-" for t in tools) + "\n")
    with open(np_, "w") as f:
        f.write("N " + " ".join('"%s"' % SHORT[t] for t in ntools) + "\n")
        for n in ns:
            f.write("%d " % n + " ".join("%.3f" % (med(noop, str(n), t) * 1000) if med(noop, str(n), t) else "-" for t in ntools) + "\n")
    expr = "applydat='%s'; noopdat='%s'; out='%s'; ntools=%d; acolors='%s'; adash='%s'; nnoop=%d; ncolors='%s'" % (
        ap, np_, png, len(tools), " ".join(COLOR[t] for t in tools),
        " ".join("2" if t in ("psql1", "psqltx") else "1" for t in tools), len(ntools), " ".join(COLOR[t] for t in ntools))
    try:
        p = subprocess.run(["gnuplot", "-e", expr, os.path.join(HERE, "chart.gp")], capture_output=True, text=True)
    except OSError as e:
        return "gnuplot not available (%s)" % e
    if p.returncode != 0:
        return "gnuplot failed: %s" % p.stderr.strip()[-500:]
    return None


def merge(files):
    """The results of one or more runs as one, the runs in date order, a later
    run's figure for a tool at an N replacing an earlier one's.  Every apply
    figure keeps the `psql -1` median and the faster floor of its own run
    (_psql1, _floor), so ratios stay within one run; _run is the run's number."""
    loaded = []
    for path in files:
        with open(path) as f:
            loaded.append(json.load(f))
    loaded.sort(key=lambda x: x.get("meta", {}).get("date", ""))
    r = {"apply": {}, "noop": {}, "status": {}, "tamper": {}, "baseline": {}, "errors": [], "runs": []}
    for k, x in enumerate(loaded, 1):
        for part in ("apply", "noop", "status"):
            for n, block in x.get(part, {}).items():
                floors = [med(block, t) for t in ("psql1", "psqltx") if med(block, t) is not None]
                for tool, entry in block.items():
                    e = dict(entry)
                    e["_run"] = k
                    if part == "apply":
                        e["_psql1"] = med(block, "psql1")
                        e["_floor"] = min(floors) if floors else None
                    r[part].setdefault(n, {})[tool] = e
        for tool, e in x.get("tamper", {}).items():
            r["tamper"][tool] = dict(e, _run=k)
        r["baseline"].update(x.get("baseline", {}))
        for key in ("heads", "push"):
            if key in x:
                r[key] = dict(x[key], _run=k)
        r["errors"] += x.get("errors", [])
        r["runs"].append(x.get("meta", {}))
    return r


def main():
    args = sys.argv[1:]
    extras = None
    if len(args) >= 2 and args[0] == "--extras":
        if os.path.exists(args[1]):
            with open(args[1]) as f:
                extras = f.read().strip() or None
        args = args[2:]
    if len(args) < 3:
        sys.exit("usage: report.py [--extras FILE] OUT.md OUT.png RESULTS.json [RESULTS.json...]")
    md_path, png = args[0], args[1]
    r = merge(args[2:])
    runs = r["runs"]
    last = runs[-1]
    mach = last.get("machine", {})
    v = last.get("versions", {})
    chart_err = write_chart(r, png)
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w("Written by `scripts/bench/report.py` from %s of `scripts/bench.sh`; do not edit by hand, run the"
      % ("one run" if len(runs) == 1 else "%d runs" % len(runs)))
    w("benchmark again.  The generator (`scripts/bench/gen.py`), the runner (`scripts/bench/run.py`) and")
    w("this report's writer are in the repository.")
    w("")
    w("Machine: %s, %s cores, %s, %s, Linux %s." % (mach.get("cpu"), mach.get("cores"), mach.get("memory"), mach.get("os"), mach.get("kernel")))
    if os.environ.get("BENCH_NOTE"):
        w("")
        w("**Note:** %s" % os.environ["BENCH_NOTE"])
    w("")
    w("| run | date | pgmig | command | N (runs per figure) | tools | parts (run.py) | run.py took | load avg at start / end |")
    w("|---|---|---|---|---|---|---|---|---|")
    for k, m in enumerate(sorted(runs, key=lambda m: m.get("date", "")), 1):
        rp = m.get("repeat_per_n", {})
        per_n = "apply" in m.get("parts", []) or "noop" in m.get("parts", [])
        ns = ", ".join("%s (%s)" % (fmt_n(n), rp.get(str(n), m.get("repeat"))) for n in m.get("n", [])) if per_n else "–"
        tl = m.get("tools", [])
        tools = ("all" if len(tl) == len(ORDER) else ", ".join(SHORT.get(t, t) for t in tl)) if per_n else "–"
        pv = m.get("versions", {})
        w("| %d | %s | %s, extension %s | `%s` | %s | %s | %s | %s | %s / %s |" % (
            k, m.get("date", "?"), pv.get("pgmig", "?"), pv.get("pgmig_extension", "?"), m.get("command", "make bench"), ns, tools,
            ", ".join(m.get("parts", [])),
            ("%.0f min" % (m["elapsed_s"] / 60) if m["elapsed_s"] >= 120 else "%.0f s" % m["elapsed_s"]) if "elapsed_s" in m else "?",
            "%.2f" % m.get("machine", {}).get("load_at_start", 0), "%.2f" % m["load_at_end"] if "load_at_end" in m else "?"))
    w("")
    if r.get("errors"):
        w("**Failures in these runs** (the figures of a failed tool are left out):")
        w("")
        for e in r["errors"]:
            w("- `%s`" % e.splitlines()[0].replace("`", "'"))
        w("")

    w("## Targets")
    w("")
    w("From issue 5; each verdict is computed from the figures below.")
    w("")
    w("| target | figure | limit | verdict |")
    w("|---|---|---|---|")
    for t, fig, lim, verdict in targets(r):
        w("| %s | %s | %s | %s |" % (t, fig, lim, verdict))
    w("")

    w("## What is measured")
    w("")
    w("`scripts/bench/gen.py N` writes one linear history of N revisions, the same SQL for every tool, split")
    w("the same way: new tables (identity primary key, NOT NULL and DEFAULT columns, a foreign key to a")
    w("recent table with an index on it, sometimes a unique index), join tables with two foreign keys, enum")
    w("types with a column of that type, added columns (sometimes with an index, a CHECK constraint or a")
    w("comment), and small inserts; every revision has a down body too.  Each run gets a fresh database")
    w("(created and checkpointed before the clock starts; for pgmig also `CREATE EXTENSION pgmig`, which")
    w("`pgmig init` does once per database), and is then checked: the tables, enum types, indexes and rows")
    w("the generator predicts, and the tool's own record of N applied revisions.  A figure is the median")
    w("wall time of the whole command, process start and connection included, of the runs; the tools take")
    w("turns within each round.  Ratios are to the median of `psql -1` at the same N in the same run.")
    w("")
    w("Settings, the same for every tool: one throwaway PostgreSQL server (`scripts/pgserver.sh`: Unix")
    w("socket, `fsync=off`) with `max_locks_per_transaction = 2048`, since one transaction over 10,000")
    w("revisions locks more relations than the default lock table holds; PostgreSQL's own `psql` binary")
    w("(Debian's `/usr/bin/psql` is a Perl wrapper that adds tens of milliseconds to every start, which")
    w("Sqitch would pay once per change).  Each peer runs as its documentation sets it up: Alembic with the")
    w("`env.py` of `alembic init` (one transaction for the whole upgrade) and revision files calling")
    w("`op.execute(<SQL>)`; Sqitch with `sqitch.plan` and deploy/revert/verify scripts that wrap the SQL in")
    w("`BEGIN`/`COMMIT` as its templates do (Sqitch runs each script with `psql`); dbmate with")
    w("`--no-dump-schema` (it would otherwise run `pg_dump` after every migrate); node-pg-migrate with SQL")
    w("files and its defaults (`--single-transaction` on).  node-pg-migrate has no status verb: its")
    w("`up --dry-run` stands in.")
    w("")

    apply = r.get("apply", {})
    for n in sorted(apply, key=int):
        rows = apply[n]
        several = len(set(x.get("_run") for x in rows.values())) > 1
        w("### Applying %s revisions" % fmt_n(n))
        w("")
        missing = [SHORT[t] for t in ORDER if t not in rows]
        if missing:
            w("Not run at this N: %s." % ", ".join(missing))
            w("")
        if several:
            w("The rows come from several runs (last column); each ratio is to `psql -1` of the same run.")
            w("")
        w("| tool | transactions | median | × psql -1 | fastest | runs (s) |" + (" run |" if several else ""))
        w("|---|---|---|---|---|---|" + ("---|" if several else ""))
        for t in ORDER:
            if t not in rows:
                continue
            x = rows[t]
            tail = " %s |" % x.get("_run") if several else ""
            if x.get("error"):
                w("| %s | %s | failed | | | `%s` |%s" % (SHORT[t], TX[t], x["error"].splitlines()[0][:150].replace("|", "\\|").replace("`", "'"), tail))
                continue
            base = x.get("_psql1")
            ratio = "%.2f×" % (x["median"] / base) if base and x.get("median") else "–"
            runs = x.get("runs", [])
            w("| %s | %s | %s | %s | %s | %s |%s" % (SHORT[t], TX[t], fmt_s(x.get("median")), ratio,
                                                   fmt_s(min(runs)) if runs else "–", ", ".join("%.3f" % y for y in runs), tail))
        w("")

    noop, status = r.get("noop", {}), r.get("status", {})
    if noop or status:
        w("## Nothing to do: no-op migrate and status on a migrated history")
        w("")
        b = r.get("baseline", {}).get("psql_select1", {}).get("median")
        w("Each tool's normal migrate command, and its status command, on the database its last apply run")
        w("left.  For scale: starting `psql -c 'SELECT 1'` and connecting takes %s here." % fmt_ms(b))
        w("")
        for n in sorted(set(noop) | set(status), key=int):
            w("### %s revisions applied" % fmt_n(n))
            w("")
            several = len(set(x.get("_run") for x in list(noop.get(n, {}).values()) + list(status.get(n, {}).values()))) > 1
            w("| tool | no-op migrate | status | status command |" + (" run |" if several else ""))
            w("|---|---|---|---|" + ("---|" if several else ""))
            for t in ORDER:
                a, s = noop.get(n, {}).get(t), status.get(n, {}).get(t)
                if not a and not s:
                    continue
                w("| %s | %s | %s | `%s` |%s" % (SHORT[t], "failed" if a and a.get("error") else fmt_ms(med(noop, n, t)),
                                                  "failed" if s and s.get("error") else fmt_ms(med(status, n, t)), (s or {}).get("command", ""),
                                                  " %s |" % (a or s).get("_run") if several else ""))
            w("")
        tam = r.get("tamper", {})
        if tam:
            tn = sorted(set(x.get("n") for x in tam.values() if x.get("n")))
            w("**Does the no-op notice an edited file?**  After the no-op runs%s, the first migration's file" % (
                " at N = " + ", ".join(fmt_n(x) for x in tn) if tn else ""))
            w("(already applied) is edited (`name text` becomes `name varchar(200)`) and the migrate command run again:")
            w("")
            w("| tool | exit code | what it said |")
            w("|---|---|---|")
            for t in ORDER:
                if t in tam:
                    x = tam[t]
                    lines = [l for l in x.get("output", "").splitlines() if l.strip() and not l.startswith("$ ")]
                    said = (lines[0] if x.get("detected") and lines else lines[-1] if lines else "(prints nothing)").replace("|", "\\|").replace("`", "'")
                    w("| %s | %d (%s) | %s |" % (SHORT[t], x["exit"], "refused" if x["detected"] else "not noticed", said[:160]))
            w("")

    h = r.get("heads")
    if h:
        w("## Heads of a %s-revision graph" % fmt_n(h["revisions"]))
        w("")
        w("Uploaded with `mig_upload_batch` in chunks of 10,000 (%.1f s in all): a main line with a 25-revision" % h["upload_s"])
        w("branch every 400 revisions, merged back, %d heads at the end, %s revisions stamped as applied." % (h["heads"], fmt_n(h["applied"])))
        w("Time inside the server: `clock_timestamp()` around `SELECT count(*) FROM pgmig.mig_heads()` in a DO block.")
        w("")
        w("| measure | median | runs |")
        w("|---|---|---|")
        for k, label, unit in (
            ("server_ms_new_session", "in the server, first call of a new session", "ms"),
            ("server_ms_same_session", "in the server, second call in the same session", "ms"),
            ("psql_wall_s", "`psql -c 'SELECT * FROM pgmig.mig_heads()'`, wall", "s"),
            ("pgmig_heads_wall_s", "`pgmig heads`, wall", "s"),
        ):
            x = h[k]
            if unit == "ms":
                w("| %s | %.1f ms | %s |" % (label, x["median"], ", ".join("%.1f" % y for y in x["runs"])))
            else:
                w("| %s | %s | %s |" % (label, fmt_ms(x["median"]), ", ".join("%.0f" % (y * 1000) for y in x["runs"])))
        w("")

    p = r.get("push")
    if p:
        w("## Upload of %s bodies" % fmt_n(p["n"]))
        w("")
        w("`pgmig push` of the %s generated files (%.1f MB, up and down bodies) into a database with the" % (fmt_n(p["n"]), p["bytes"] / 1e6))
        w("extension and nothing uploaded: every body parsed by the server, the graph validated, all in one call.")
        w("")
        w("| measure | median | runs |")
        w("|---|---|---|")
        w("| first push | %s | %s |" % (fmt_s(p["first"]["median"]), ", ".join("%.3f" % y for y in p["first"]["runs"])))
        w("| the same push again (all unchanged) | %s | %s |" % (fmt_s(p["again"]["median"]), ", ".join("%.3f" % y for y in p["again"]["runs"])))
        w("")

    w("## Chart")
    w("")
    if chart_err:
        w("(no chart: %s)" % chart_err)
    else:
        w("![apply time and no-op time against N](%s)" % os.path.basename(png))
    w("")

    if extras:
        w("## Other figures")
        w("")
        w("The later sections of `scripts/bench.sh`, as printed:")
        w("")
        w("```")
        w(extras)
        w("```")
        w("")

    w("## Versions")
    w("")
    w("| tool | version |")
    w("|---|---|")
    for k in ("postgresql", "psql", "pgmig", "pgmig_extension", "alembic", "sqlalchemy", "sqitch", "dbd_pg", "dbmate",
              "node_pg_migrate", "node_pg", "node", "python", "gnuplot"):
        if k in v:
            w("| %s | %s |" % (k.replace("_", " "), v[k]))
    w("")
    w("## How to run")
    w("")
    w("```sh")
    w("make bench                                   # everything, writes this page and benchmarks.png")
    w("BENCH_SKIP_BUILD=1 BENCH_N=100 REPEAT=1 BENCH_TOOLS='psql1 pgmig' BENCH_PARTS=apply scripts/bench.sh")
    w("```")
    w("")
    w("Knobs: `BENCH_N` (list, default `100 1000 10000`), `REPEAT` (default 3; `BENCH_REPEAT_10000=1` for one N),")
    w("`BENCH_TOOLS` (`psql1 psqltx pgmig pgmig_atomic mig_apply alembic sqitch dbmate npm`), `BENCH_PARTS`")
    w("(`apply noop heads push fingerprint lint graph`), `HEADS_N` (100000), `PUSH_N` (10000),")
    w("`BENCH_SKIP_BUILD=1` (use the installed extension and `build/pgmig` as they are),")
    w("`BENCH_DOCS=0` (leave docs/ alone), `PGMIG_BENCH_PORT`, `BENCH_NOTE` (a line for the table above).")
    w("")
    with open(md_path, "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
