import sys

from amudesk.cli import main

sys.exit(main())
