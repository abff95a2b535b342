"""`python -m chibo_members.imports`."""

import sys

from chibo_members.imports.cli import main

sys.exit(main())
