"""AMU Desk: an offline desk for Belgian urgent medical aid (AMU) requests.

The package root stays light: nothing heavy is imported here, so that the
command line and the window start fast.
"""

__version__ = "0.1.0"
