"""What every example script shares: its command-line options."""

import argparse
import os


def parse_args(doc):
    """--output DIR (PNG files) and --quick (smaller settings, for CI)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--output",
        default=os.environ.get("NUMKERAS_EXAMPLES_OUTPUT", "examples_output"),
        help="folder for the PNG files (default ./examples_output)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("NUMKERAS_EXAMPLES_QUICK") == "1",
        help="smaller settings, for CI (also NUMKERAS_EXAMPLES_QUICK=1)",
    )
    return parser.parse_args()
