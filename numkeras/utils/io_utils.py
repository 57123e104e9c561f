"""print_msg: the one place where callbacks talk to the user (keras.utils.io_utils).

Verbose callback messages ("Epoch 3: early stopping", checkpoint notices) go to
standard output as in Keras, so they appear between the progress-bar lines
where users expect them; everything else in numkeras uses `logging`.
"""

import logging
import sys

logger = logging.getLogger("numkeras")


def print_msg(message, line_break=True):
    """Write a user-facing message to stdout (and log it at INFO level)."""
    logger.info(message.strip())
    sys.stdout.write(message + ("\n" if line_break else ""))
    sys.stdout.flush()
