"""``python -m nhiscan``."""

from nhiscan.cli import main

main()
