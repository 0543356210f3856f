"""What the inference benchmarks (bench_infer.py, bench_backbones.py) share: CPU time of child
processes, an environment without MPI (chorus infer in Kaggle mode), a folder of the first N
soundscapes."""
import glob
import os
import resource
import sys


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def quiet_env():
    env = dict(os.environ)
    for v in ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK"):  # one process, no MPI (Kaggle mode)
        env.pop(v, None)
    return env


def soundscape_subset(data, set_name, n, tool):
    """DATA/bench_<k>: links to the first n (at most) ogg files of DATA/SET; (folder name, files)."""
    files = sorted(glob.glob(os.path.join(data, set_name, "*.ogg")))[:n]
    if not files:
        sys.exit(f"{tool}: no ogg in {os.path.join(data, set_name)}")
    sub = f"bench_{len(files)}"
    os.makedirs(os.path.join(data, sub), exist_ok=True)
    for f in files:
        dst = os.path.join(data, sub, os.path.basename(f))
        if not os.path.exists(dst):
            os.symlink(os.path.abspath(f), dst)
    return sub, files
