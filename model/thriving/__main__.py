"""``python -m thriving``: the same as the ``thriving`` command."""

import sys

try:
    from thriving.cli import main
except KeyboardInterrupt:  # Ctrl-C while still starting up: the same exit as in a run
    sys.stderr.write("Interrupted.\n")
    sys.exit(130)

if __name__ == "__main__":
    main()
