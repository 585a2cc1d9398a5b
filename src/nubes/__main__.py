"""``python -m nubes``: the same as the ``nubes`` command."""

import sys

from nubes.cli import main

sys.exit(main())
