"""What the benchmarks report beside wall time: the peak memory of the process doing the work."""
import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's high-water RSS (VmHWM): unlike ru_maxrss it does not carry the parent's peak over exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
