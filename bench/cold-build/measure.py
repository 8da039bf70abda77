#!/usr/bin/env python3
"""Cold-build time of a hello-world on `optimly` against one on async-openai 0.43.

Both programs (`optimly-hello/`, `async-openai-hello/`, each its own workspace with a
checked-in lock file) are built from an empty target directory, alternately, ROUNDS times
(the order flips every round, so neither always runs on a warmer disk cache). Sources are
fetched first, so only compiling is timed. Prints every run (wall time, and the CPU time,
user + system, of cargo and every compiler it ran), each round's ratios, and the median
ratio with its spread; exits non-zero when the median wall-time ratio is above --target.
The CPU time is the steadier figure on a shared machine: it does not move with how the two
cores happened to be scheduled.

    python3 bench/cold-build/measure.py [--rounds N] [--target 0.6] [--release] [--scratch DIR]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECTS = ["optimly-hello", "async-openai-hello"]


def children_cpu():
    """User + system seconds of every finished child process (and theirs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cargo(args, project, target_dir):
    """Run cargo; the CPU seconds it and its compilers used."""
    env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir))
    before = children_cpu()
    done = subprocess.run(["cargo", *args], cwd=HERE / project, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"cargo {' '.join(args)} failed in {project}:\n{done.stderr}")
    return children_cpu() - before


def crates(project):
    """Distinct packages in the normal and build dependency tree, the project included."""
    out = subprocess.run(["cargo", "tree", "--locked", "--offline", "-e", "normal,build",
                          "--prefix", "none", "--no-dedupe"],
                         cwd=HERE / project, check=True, capture_output=True, text=True).stdout
    return len({line.split(" (")[0].strip() for line in out.splitlines() if line.strip()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--target", type=float, default=0.6)
    parser.add_argument("--release", action="store_true", help="time `cargo build --release`")
    parser.add_argument("--scratch", type=Path,
                        default=Path(os.environ.get("CARGO_TARGET_DIR", HERE.parent.parent / "target")),
                        help="where the target directories go (a tmpfs such as /dev/shm takes "
                             "the disk out of the timing)")
    args = parser.parse_args()

    scratch = args.scratch / "cold-build"
    build = ["build", "--locked", "--offline", "--quiet"] + (["--release"] if args.release else [])
    for project in PROJECTS:
        cargo(["fetch", "--locked"], project, scratch / project)
        print(f"{project}: {crates(project)} crates")

    times = {p: [] for p in PROJECTS}
    cpus = {p: [] for p in PROJECTS}
    for round_ in range(args.rounds):
        order = PROJECTS if round_ % 2 == 0 else PROJECTS[::-1]
        for project in order:
            target_dir = scratch / project
            shutil.rmtree(target_dir, ignore_errors=True)
            start = time.monotonic()
            cpus[project].append(cargo(build, project, target_dir))
            times[project].append(time.monotonic() - start)
            print(f"round {round_ + 1}: {project} {times[project][-1]:.1f} s "
                  f"(CPU {cpus[project][-1]:.1f} s)", flush=True)
        shutil.rmtree(scratch, ignore_errors=True)

    def report(name, runs):
        ratios = [a / b for a, b in zip(runs[PROJECTS[0]], runs[PROJECTS[1]])]
        for project in PROJECTS:
            print(f"{name} {project}: median {statistics.median(runs[project]):.1f} s "
                  f"(runs {', '.join(f'{t:.1f}' for t in runs[project])})")
        print(f"{name} ratio optimly/async-openai per round: "
              f"{', '.join(f'{r:.3f}' for r in ratios)}")
        ratio = statistics.median(ratios)
        print(f"{name}: median ratio {ratio:.3f} (spread {min(ratios):.3f}-{max(ratios):.3f}), "
              f"target <= {args.target}")
        return ratio

    report("CPU", cpus)
    ratio = report("wall", times)
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
