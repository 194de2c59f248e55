"""Ask the kernel to fetch the next files from disk while the current one is parsed.

When the raw folder is larger than the page cache (a 10x archive is 30 GB), every read waits for
the disk and the parser sits idle meanwhile; with a few files requested ahead, reading and
parsing overlap. A hint only: it reads nothing into Python and never fails a run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

WINDOW = 8  # files requested ahead of the one being parsed (a detail page is ~0.7 MB)
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def advise_willneed(path: str) -> None:
    """Start reading `path` into the page cache in the background (Linux; elsewhere nothing)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return  # gone, unreadable or a symlink: the real read will say why
    try:
        advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass
    finally:
        os.close(fd)


class Readahead:
    """Walks a list of files to read, keeping the next `window` of them requested.

    `paths[i]` is what file i needs read (the page and its sidecar), empty when nothing will be.
    """

    def __init__(self, paths: Sequence[Sequence[str]], window: int = WINDOW) -> None:
        self._paths = paths
        self._window = window
        self._next = 0  # first index not yet requested

    def reached(self, index: int) -> None:
        """File `index` is about to be read: request the files up to `index + window`."""
        stop = min(len(self._paths), index + 1 + self._window)
        while self._next < stop:
            for path in self._paths[self._next]:
                advise_willneed(path)
            self._next += 1
