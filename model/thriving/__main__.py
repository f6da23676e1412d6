"""``python -m thriving``: the same as the ``thriving`` command."""

from thriving.cli import main

if __name__ == "__main__":
    main()
