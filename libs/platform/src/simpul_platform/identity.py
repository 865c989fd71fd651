"""NIK and No. KK as an OpenAPI document describes them: patterns of what lokal-id's checks
accept, so a client (and a fuzzer) can tell a number a service takes from one it refuses. The
checks themselves stay with each service, under the rule codes its clients know; these
patterns only say the same thing in the document.

A NIK is PP KK CC DDMMYY SSSS: a province of lokal-id's table, kabupaten and kecamatan not 00,
a real birth date (a woman's day plus 40; 29 February only in years YY divisible by four, the
only ones YY can say), a serial not 0000. A No. KK starts with a province code.
"""

from __future__ import annotations

import lokal

PROVINCE_CODE = "(" + "|".join(sorted(lokal.PROVINCES)) + ")"
KK_PATTERN = rf"^{PROVINCE_CODE}\d{{14}}$"

_NOT_00 = r"(0[1-9]|[1-9]\d)"
_DAY_31 = r"(0[1-9]|[12]\d|3[01]|4[1-9]|[56]\d|7[01])(0[13578]|1[02])\d\d"
_DAY_30 = r"(0[1-9]|[12]\d|30|4[1-9]|[56]\d|70)(0[469]|11)\d\d"
_DAY_28 = r"(0[1-9]|1\d|2[0-8]|4[1-9]|5\d|6[0-8])02\d\d"
_LEAP_DAY = r"(29|69)02([02468][048]|[13579][26])"
_SERIAL = r"(\d{3}[1-9]|\d\d[1-9]\d|\d[1-9]\d\d|[1-9]\d{3})"
NIK_PATTERN = (
    rf"^{PROVINCE_CODE}{_NOT_00}{_NOT_00}({_DAY_31}|{_DAY_30}|{_DAY_28}|{_LEAP_DAY}){_SERIAL}$"
)

# The sex a NIK encodes, by its birth day: a woman's is the day plus 40.
MAN_NIK_PATTERN = r"^\d{6}(0[1-9]|[12]\d|3[01])"
WOMAN_NIK_PATTERN = r"^\d{6}(4[1-9]|[56]\d|7[01])"
