"""``python -m mdm.demo.generator OUT_DIR --records N --seed S``."""

import sys

from mdm.demo.generator import main

sys.exit(main())
