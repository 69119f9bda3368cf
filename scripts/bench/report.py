#!/usr/bin/env python3
"""scripts/bench/report.py: write docs/benchmarks.md and its chart from a run.

    report.py [--extras EXTRAS.txt] OUT.md OUT.png RESULTS.json [RESULTS.json...]

RESULTS.json is what run.py wrote (several: runs of different parts or N,
merged; the page lists each run); EXTRAS.txt, when given, is the output of the
later sections of scripts/bench.sh (fingerprint, linter comparison, graph
core), included as it is.  Every figure and every "met / not met" is computed
here from RESULTS.json: nothing in the page is typed by hand.  The chart is
drawn by gnuplot with scripts/bench/chart.gp; without gnuplot the page is
still written and says the chart is missing.  With figures of the part
scaling, a second chart, deploy time against history size
(scripts/bench/chart_scaling.gp), goes next to OUT.png as
OUT-scaling.png (docs/benchmarks-scaling.png).

Issue 17's targets get a table of their own, and the page has a section
"Where the time goes": its prose is scripts/bench/where-the-time-goes.md,
included as written when the file exists (prose only: the figures stay
computed here).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["psql1", "psqltx", "pgmig", "pgmig_atomic", "mig_apply", "alembic", "sqitch", "dbmate", "npm"]
# The no-op table and chart also show the floor (bench/noop_floor.cpp).
NOOP_ORDER = ORDER + ["floor"]
WHERE = os.path.join(HERE, "where-the-time-goes.md")
SHORT = {
    "floor": "no-op floor (noop_floor)",
    "tracked": "tracked floor",
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
    "floor": "#8c564b",
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


def same_run(d, *paths):
    """The medians at paths (tuples of keys into d) when all come from one
    run (their _run marks agree) and none failed; else None."""
    vals, runs = [], set()
    for path in paths:
        x = d
        for k in path:
            x = x.get(k) if isinstance(x, dict) else None
        if not isinstance(x, dict) or x.get("error") or x.get("median") is None:
            return None
        vals.append(x["median"])
        runs.add(x.get("_run"))
    return vals if len(runs) <= 1 else None


def ratio_row(target, vals, limit, strict=False, where=None, extra=""):
    """(target, figure, limit, verdict) for vals = [pgmig, reference] against
    limit (a ratio; strict: must be below it); where: the size measured when it
    is not the one the target names."""
    lim = ("< %g×" if strict else "≤ %g×") % limit
    if not vals:
        return (target, "not measured", lim, "**not measured**")
    a, b = vals
    ratio = a / b
    fig = "%s / %s = %.2f×%s" % (fmt_s(a), fmt_s(b), ratio, extra)
    if where:
        return (target, fig + " (" + where + ")", lim, "**not measured at the size named**")
    ok = ratio < limit if strict else ratio <= limit
    return (target, fig, lim, "met" if ok else "**not met** (%.2f× the limit)" % (ratio / limit))


def nearest(block, want):
    """(key, where-note) of block's key want, else its largest key with a note."""
    keys = [k for k in block if k != "_run"]
    if want in keys:
        return want, None
    if not keys:
        return None, None
    k = max(keys, key=int)
    return k, "measured at %s only" % fmt_n(k)


def targets17(r):
    """[(target, figure, limit, verdict)] of issue 17, from the results."""
    out = []
    inc, sc = r.get("incremental", {}), r.get("scaling", {})
    src = inc if "10000" in inc or "10000" not in sc else sc
    h, where = nearest(src, "10000")
    t = "`pgmig up` of 1 new revision on a 10,000-revision history (push included) vs psql running that revision (one connection)"
    out.append(ratio_row(t, same_run(src, (h, "new1", "pgmig"), (h, "new1", "psql")) if h else None, 1.5, where=where))
    h, where = nearest(inc, "10000")
    t = "`pgmig push` of that one new file vs a no-op `pgmig up` of the folder as applied, 10,000-revision history"
    out.append(ratio_row(t, same_run(inc, (h, "push1", "push"), (h, "push1", "noop")) if h else None, 2.0, where=where))
    apply = r.get("apply", {})
    t = "fresh apply of 1,000 realistic revisions: `pgmig up` vs psql with one transaction per revision"
    out.append(ratio_row(t, same_run(apply, ("1000", "pgmig"), ("1000", "psqltx")), 1.05))
    one = r.get("onestmt", {})
    n, where = nearest(one, "1000")
    t = "fresh apply of 1,000 one-statement revisions: `pgmig up` vs the tracked floor (psql plus a version-table INSERT per revision)"
    vals = same_run(one, (n, "pgmig"), (n, "tracked")) if n else None
    tx = same_run(one, (n, "pgmig"), (n, "psqltx")) if n else None
    out.append(ratio_row(t, vals, 1.0, where=where, extra="; %.2f× psql, one transaction per revision" % (tx[0] / tx[1]) if tx else ""))
    noop, status = r.get("noop", {}), r.get("status", {})
    both = {"noop": noop, "status": status}
    for verb, label in (("noop", "no-op `pgmig up`"), ("status", "`pgmig status`")):
        t = "%s on 10,000 files vs the no-op floor (every file read and hashed, one connection, one query)" % label
        out.append(ratio_row(t, same_run(both, (verb, "10000", "pgmig"), ("noop", "10000", "floor")), 1.3))
        t = "%s on 10,000 files vs dbmate's %s" % (label, "no-op migrate" if verb == "noop" else "status")
        out.append(ratio_row(t, same_run(both, (verb, "10000", "pgmig"), (verb, "10000", "dbmate")), 1.0, strict=True))
    return out


def write_scaling_chart(r, png):
    """Draw deploy time against history size with gnuplot; None on success, else why not."""
    sc = r.get("scaling", {})
    hs = sorted(int(h) for h in sc)
    rows = [(h, med(sc, str(h), "new1", "pgmig"), med(sc, str(h), "new1", "psql")) for h in hs]
    rows = [x for x in rows if x[1] is not None or x[2] is not None]
    if not rows:
        return "no figures"
    d = tempfile.mkdtemp(prefix="pgmig-chart.")
    dat = os.path.join(d, "scaling.dat")
    with open(dat, "w") as f:
        f.write('H "pgmig up (push included)" "psql, the same SQL"\n')
        for h, a, b in rows:
            f.write("%d %s %s\n" % (h, "%.6f" % a if a else "-", "%.6f" % b if b else "-"))
    expr = "scalingdat='%s'; out='%s'; colors='%s %s'" % (dat, png, COLOR["pgmig"], COLOR["psql1"])
    try:
        p = subprocess.run(["gnuplot", "-e", expr, os.path.join(HERE, "chart_scaling.gp")], capture_output=True, text=True)
    except OSError as e:
        return "gnuplot not available (%s)" % e
    if p.returncode != 0:
        if os.path.exists(png) and os.path.getsize(png) == 0:
            os.remove(png)  # gnuplot opened it before failing
        return "gnuplot failed: %s" % p.stderr.strip()[-500:]
    return None


def everyday(r, w, scaling_png, scaling_err):
    """The sections of issue 17's parts: incremental, scaling, one-statement
    revisions and where the time goes (w: the page's line writer)."""
    inc, sc, one = r.get("incremental", {}), r.get("scaling", {}), r.get("onestmt", {})
    hist = r.get("history", {})
    if inc or sc:
        w("## The everyday deploy: new revisions on an applied history")
        w("")
        w("Each history of H realistic revisions (the first H of one `gen.py` folder) is built once, untimed:")
        w("`pgmig push` of the H files, one `mig_apply(target)` call per %s revisions, a no-op `pgmig up` and"
          % fmt_n(r["runs"][-1].get("hist_chunk", 10000)))
        w("`ANALYZE`; every timed run gets a copy of it (`CREATE DATABASE ... TEMPLATE`, then `CHECKPOINT`,")
        w("untimed) and is checked afterwards.  psql runs exactly the new revisions' SQL, `BEGIN`/`COMMIT`")
        w("around each, in one connection; `pgmig up` reads the folder of H + new files and pushes first.")
        w("`push` is `pgmig push` of the folder with one new file; `no-op` is `pgmig up` of the folder as")
        w("applied (nothing to do).  The cases take turns within each round; figures are medians.")
        w("")
        sizes = [k for k in hist if k.isdigit()]
        if sizes:
            w("| history | push of the H files | mig_apply calls | ANALYZE | built in | size | copy of it (median) |")
            w("|---|---|---|---|---|---|---|")
            for h in sorted(sizes, key=int):
                x = hist[h]
                copies = hist.get("copy_s", {}).get(h, [])
                w("| %s | %s | %s | %s | %s | %s MB | %s |" % (
                    fmt_n(h), fmt_s(x.get("push_s")), "%d in %s" % (x["apply_calls"], fmt_s(x["apply_s"])) if "apply_calls" in x else "–",
                    fmt_s(x.get("analyze_s")), fmt_s(x.get("total_s")), x.get("size_mb", "?"),
                    fmt_s(sorted(copies)[len(copies) // 2]) if copies else "–"))
            w("")
    for h in sorted(inc, key=int):
        b = inc[h]
        w("### %s revisions applied" % fmt_n(h))
        w("")
        w("| work | pgmig | reference | × reference | pgmig runs (s) | reference runs (s) |")
        w("|---|---|---|---|---|---|")
        for case, label, a, ref, rlabel in (
            ("new1", "1 new revision: `pgmig up`", "pgmig", "psql", "psql, the same SQL"),
            ("new100", "100 new revisions: `pgmig up`", "pgmig", "psql", "psql, the same SQL"),
            ("push1", "`pgmig push` of one new file", "push", "noop", "no-op `pgmig up`"),
        ):
            x, y = b.get(case, {}).get(a, {}), b.get(case, {}).get(ref, {})
            if not x and not y:
                continue
            vals = same_run(b, (case, a), (case, ref))
            w("| %s | %s | %s: %s | %s | %s | %s |" % (
                label, "failed" if x.get("error") else fmt_s(x.get("median")), rlabel,
                "failed" if y.get("error") else fmt_s(y.get("median")), "%.2f×" % (vals[0] / vals[1]) if vals else "–",
                ", ".join("%.3f" % v for v in x.get("runs", [])), ", ".join("%.3f" % v for v in y.get("runs", []))))
        w("")
    if sc:
        w("### Deploy time against history size")
        w("")
        w("One new revision: `pgmig up` (push included) and psql running the same SQL, on copies of histories")
        w("of each size.  The targets: the cost of a deploy grows with what is new, not with the history.")
        w("")
        w("| history | pgmig up | psql | × psql | pgmig runs (s) | psql runs (s) |")
        w("|---|---|---|---|---|---|")
        for h in sorted(sc, key=int):
            x, y = sc[h].get("new1", {}).get("pgmig", {}), sc[h].get("new1", {}).get("psql", {})
            vals = same_run(sc[h], ("new1", "pgmig"), ("new1", "psql"))
            w("| %s | %s | %s | %s | %s | %s |" % (
                fmt_n(h), "failed" if x.get("error") else fmt_s(x.get("median")), "failed" if y.get("error") else fmt_s(y.get("median")),
                "%.2f×" % (vals[0] / vals[1]) if vals else "–",
                ", ".join("%.3f" % v for v in x.get("runs", [])), ", ".join("%.3f" % v for v in y.get("runs", []))))
        w("")
        if scaling_err:
            w("(no chart: %s)" % scaling_err)
        else:
            w("![deploy time of one new revision against history size](%s)" % os.path.basename(scaling_png))
        w("")
    for n in sorted(one, key=int):
        b = one[n]
        w("## %s one-statement revisions, fresh database" % fmt_n(n))
        w("")
        w("`gen.py --shape one`: each revision is `CREATE TABLE tN (id bigint PRIMARY KEY)`, so what a tool")
        w("does around a revision is most of the cost.  The tracked floor is psql running, per revision,")
        w("`BEGIN`, the body, `INSERT INTO schema_version` and `COMMIT` (the version table created first):")
        w("the least a tool that records each revision in its own transaction does.")
        w("")
        w("| tool | median | × psql, tx per revision | × tracked floor | runs (s) |")
        w("|---|---|---|---|---|")
        for t in ("psqltx", "tracked", "pgmig"):
            x = b.get(t)
            if not x:
                continue
            if x.get("error"):
                w("| %s | failed | | | `%s` |" % (SHORT[t], x["error"].splitlines()[0][:150].replace("|", "\\|").replace("`", "'")))
                continue
            tx, tr = med(b, "psqltx"), med(b, "tracked")
            w("| %s | %s | %s | %s | %s |" % (SHORT[t], fmt_s(x.get("median")), "%.2f×" % (x["median"] / tx) if tx else "–",
                                           "%.2f×" % (x["median"] / tr) if tr else "–", ", ".join("%.3f" % v for v in x.get("runs", []))))
        w("")
    if inc or sc or one:
        w("## Where the time goes")
        w("")
        if os.path.exists(WHERE):
            with open(WHERE) as f:
                w(f.read().strip())
        else:
            w("(Not written yet: `scripts/bench/where-the-time-goes.md` is included here as written.)")
        w("")


def write_chart(r, png):
    """Draw the chart with gnuplot; None on success, else why not."""
    apply = r.get("apply", {})
    noop = r.get("noop", {})
    ns = sorted(set(int(n) for n in list(apply) + list(noop)))
    if not ns:
        return "no figures"
    tools = [t for t in ORDER if any(med(apply, str(n), t) is not None for n in ns)]
    ntools = [t for t in NOOP_ORDER if any(med(noop, str(n), t) is not None for n in ns)]
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
        # Issue 17's parts: a later run's block for an N or H replaces an
        # earlier one's whole, so that a ratio never mixes two runs.
        for part in ("onestmt", "incremental", "scaling"):
            for key, block in x.get(part, {}).items():
                r.setdefault(part, {})[key] = dict(block, _run=k)
        for key, info in x.get("history", {}).items():
            if key == "copy_s":  # {H: [seconds of each copy]}: per H
                r.setdefault("history", {}).setdefault(key, {}).update(info)
            else:
                r.setdefault("history", {})[key] = info
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
    scaling_png = os.path.splitext(png)[0] + "-scaling.png"
    scaling_err = write_scaling_chart(r, scaling_png) if r.get("scaling") else None
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
    w("From issue 17 (the everyday deploy): ratios within one run, each computed from the figures below.")
    w("")
    w("| target | figure | limit | verdict |")
    w("|---|---|---|---|")
    for t, fig, lim, verdict in targets17(r):
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
    w("socket, `fsync=%s`, `BENCH_FSYNC`) with `max_locks_per_transaction = 2048`, since one transaction over 10,000"
      % os.environ.get("BENCH_FSYNC", "on"))
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
            for t in NOOP_ORDER:
                a, s = noop.get(n, {}).get(t), status.get(n, {}).get(t)
                if not a and not s:
                    continue
                w("| %s | %s | %s | `%s` |%s" % (SHORT[t], "failed" if a and a.get("error") else fmt_ms(med(noop, n, t)),
                                                  "failed" if s and s.get("error") else fmt_ms(med(status, n, t)), (s or a or {}).get("command", ""),
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

    everyday(r, w, scaling_png, scaling_err)

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
    w("BENCH_SKIP_BUILD=1 BENCH_PARTS='incremental scaling' INCR_H=1000 SCALING_H='0 1000 10000' scripts/bench.sh")
    w("```")
    w("")
    w("Knobs: `BENCH_N` (list, default `100 1000 10000`), `REPEAT` (default 3; `BENCH_REPEAT_10000=1` for one N),")
    w("`BENCH_TOOLS` (`psql1 psqltx pgmig pgmig_atomic mig_apply alembic sqitch dbmate npm`), `BENCH_PARTS`")
    w("(`apply noop heads push onestmt incremental scaling fingerprint lint graph`), `HEADS_N` (100000),")
    w("`PUSH_N` (10000), `ONESTMT_N` (1000), `INCR_H` (`1000 10000`), `SCALING_H` (`0 1000 10000 30000 100000`),")
    w("`HIST_CHUNK` (10000, revisions per `mig_apply` call when a history is built),")
    w("`BENCH_SKIP_BUILD=1` (use the installed extension and `build/pgmig` as they are),")
    w("`BENCH_DOCS=0` (leave docs/ alone), `PGMIG_BENCH_PORT`, `BENCH_NOTE` (a line for the table above).")
    w("")
    with open(md_path, "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
