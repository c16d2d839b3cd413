"""`python -m mdm` runs the command line."""

from mdm.cli import main

main()
