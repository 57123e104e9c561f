"""`python -m numkeras demo`."""

import sys

from .cli import main

sys.exit(main())
