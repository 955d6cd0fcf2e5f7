import sys

from amudesk.launch import main

sys.exit(main())
