"""Whether a process still runs: work files named after their writer's pid are removed only
once that writer is gone."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True for this process, a running one, or one we may not signal (it exists)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
