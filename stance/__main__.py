"""``python -m stance``: the same as the ``stance`` command."""

import sys

from .cli import main

sys.exit(main())
