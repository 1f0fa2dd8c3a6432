"""``python -m nkbook.etl.refresh``: see :mod:`nkbook.etl.refresh`."""

import sys

from nkbook.etl.refresh.run import main

sys.exit(main())
