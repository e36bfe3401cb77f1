"""`python -m bench [--quick] [--only NAME ...] [--out FILE]`: run every benchmark, print one table.

Each bench/bench_*.py module exposes ``run(quick: bool) -> list[dict]`` (rows from bench.common.row).
Modules run one at a time, each in its own process (fresh imports, honest memory and start-up figures,
and a crash in one doesn't lose the others). Results are printed as a table with targets and written as
JSON (default bench/results/latest.json, or bench/results/quick.json with --quick). A full run (no --quick,
--only or --out) also puts its table at the top of bench/RESULTS.md, in a block of its own that the next full
run replaces; the hand-written history below it is kept. Figures never fail the run; a module that errors is
reported in the table and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["startup", "registry", "store", "forms", "export", "import", "canvas", "window", "lifetime"]
MODULE_TIMEOUT = {"quick": 240, "full": 1800}


def discover() -> list[str]:
    names = [p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py")]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def run_module(name: str, quick: bool) -> tuple[list[dict], str | None]:
    code = (
        "import json, sys\n"
        f"import bench.bench_{name} as m\n"
        f"rows = m.run(quick={quick!r})\n"
        "sys.stdout.write('\\n@@BENCH@@' + json.dumps(rows) + '\\n')\n"
    )
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=MODULE_TIMEOUT["quick" if quick else "full"])
    except subprocess.TimeoutExpired:
        return [], "timed out"
    marker = proc.stdout.rfind("@@BENCH@@")
    if proc.returncode != 0 or marker < 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return [], f"exit {proc.returncode}: {tail[0][:200]}"
    return json.loads(proc.stdout[marker + len("@@BENCH@@"):].strip()), None


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "bytes":
        return f"{value / 1024:.1f} KiB" if value < 1024 * 1024 else f"{value / 1024 / 1024:.1f} MiB"
    return f"{value:.3g} {unit}"


def print_table(rows: list[dict], out=sys.stdout) -> None:
    headers = ["group", "benchmark", "median", "spread (min-max)", "target", "met", "ratio to baseline"]
    lines = []
    for r in rows:
        spread = r.get("spread")
        unit = r.get("unit", "s")
        lines.append([
            r.get("group", ""),
            r.get("name", ""),
            "ERROR" if r.get("error") else _fmt(r.get("value"), unit),
            f"{_fmt(spread[0], unit)} - {_fmt(spread[1], unit)}" if spread else (r.get("error") or ""),
            _fmt(r.get("target"), unit) if r.get("target") is not None else "",
            {True: "yes", False: "NO", None: ""}[r.get("met")],
            f"{r['ratio']:.2f}x" if r.get("ratio") else "",
        ])
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *lines)] if lines else [len(h) for h in headers]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    print(fmt.format(*headers), file=out)
    print(fmt.format(*("-" * w for w in widths)), file=out)
    for line in lines:
        print(fmt.format(*line), file=out)


BEGIN = "<!-- latest full run: written by `python -m bench`, replaced at each full run -->"
END = "<!-- end of the latest full run -->"
TITLE = "# Benchmark results"


def write_markdown(payload: dict, path: Path) -> None:
    """bench/RESULTS.md: the latest full run as a table, with the machine it ran on, in its own block at the
    top. The rest of the file (the history of each issue's runs, written by hand) is kept: the block
    between BEGIN and END is replaced, or put under the title."""
    import io

    table = io.StringIO()
    print_table(payload["rows"], out=table)
    m = payload["machine"]
    met = [r for r in payload["rows"] if r.get("met") is not None]
    block = (
        f"{BEGIN}\n"
        f"## Latest full run of `python -m bench`: {payload['started']}, {payload['seconds']} s\n\n"
        f"Machine: {m.get('cpu', '?')}, {m.get('cpus', '?')} cores, {m.get('memory', '?')} memory; "
        f"{m.get('platform', '?')}; Python {m.get('python', '?')}, PySide6 {m.get('pyside6', '?')}; "
        "offscreen Qt platform. Absolute times vary between machines and with load: the ratios to the raw "
        "QGraphicsScene baseline measured in the same run are what we track.\n\n"
        f"Targets met: {sum(r['met'] for r in met)} of {len(met)}.\n\n"
        "```\n" + table.getvalue() + "```\n"
        f"{END}\n"
    )
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1].removeprefix("\n")
    else:
        body = old.removeprefix(TITLE).lstrip("\n")
        text = f"{TITLE}\n\n{block}" + (f"\n{body}" if body else "")
    path.write_text(text, encoding="utf-8")


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        import PySide6

        info["pyside6"] = PySide6.__version__
    except ImportError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["memory"] = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small subset, under a minute")
    parser.add_argument("--only", nargs="*", help=f"modules to run (of: {', '.join(discover())})")
    parser.add_argument("--out", help="JSON results file")
    args = parser.parse_args(argv)
    names = args.only or discover()
    rows: list[dict] = []
    failed = False
    started = time.time()
    for name in names:
        t0 = time.perf_counter()
        module_rows, error = run_module(name, args.quick)
        if error:
            failed = True
            module_rows = [{"group": name, "name": f"bench_{name}", "error": error, "unit": "s"}]
        rows.extend(module_rows)
        print(f"  ran bench_{name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print_table(rows)
    met = [r for r in rows if r.get("met") is not None]
    print(f"\ntargets met: {sum(r['met'] for r in met)} of {len(met)}")
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / ("quick.json" if args.quick else "latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
               "seconds": round(time.time() - started, 1), "quick": args.quick, "machine": machine(),
               "rows": rows}
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"results written to {out}")
    if not args.quick and not args.only and not args.out:
        write_markdown(payload, ROOT / "bench" / "RESULTS.md")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
