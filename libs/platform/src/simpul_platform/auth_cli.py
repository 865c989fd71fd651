"""``simpul-token``: mint a development bearer token.

    simpul-token --role dpmd --wilayah 64.02
    simpul-token --sub kader-1 --role kader:health --wilayah 64.02.06.2001 --hours 12

Signs with SIMPUL_JWT_SECRET (the development default when unset), as the services verify.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="simpul-token", description=__doc__.splitlines()[0])
    parser.add_argument("--sub", default="dev-user", help="subject (user or system id)")
    parser.add_argument(
        "--role", action="append", required=True, help="repeatable: dpmd, opd:health, ..."
    )
    parser.add_argument(
        "--wilayah", action="append", default=[], help="repeatable wilayah code, or *"
    )
    parser.add_argument("--hours", type=float, default=8.0, help="lifetime in hours")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    print(mint_token(settings, args.sub, args.role, args.wilayah, timedelta(hours=args.hours)))


if __name__ == "__main__":
    main()
