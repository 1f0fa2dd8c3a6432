"""Which builder makes which table: the one list ``make data`` and the tests read."""
from __future__ import annotations

from . import missile_tests, ofac_sdn, un_1718

DERIVED = {
    "un_1718_designations": un_1718.build,
    "ofac_dprk_sdn_entries": ofac_sdn.build,
    "missile_tests": missile_tests.build,
}
