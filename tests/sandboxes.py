"""What a function sandbox legitimately shows of the host, for the isolation tests."""

from __future__ import annotations

import sys
from pathlib import Path


def install_dirs_in_tmp() -> list[str]:
    """The top-level /tmp entries leading to this Python and Nubes install, if under /tmp.

    A sandbox's /tmp is private, but when the interpreter or Nubes itself is installed
    under /tmp, the runtime binds that path back (read-only) so its modules stay
    importable; the way to it then shows in the sandbox's /tmp.
    """
    names = set()
    for path in (Path(sys.prefix), Path(sys.base_prefix), Path(__file__).resolve()):
        try:
            names.add(path.relative_to("/tmp").parts[0])
        except ValueError:
            continue
    return sorted(names)
