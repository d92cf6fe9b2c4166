"""The `safetext` command: thin argument parsing; each subcommand lives in `safetext.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from safetext.errors import SafeTextError

# Each module exposes `register(subparsers)`, which adds its parser and sets `func=run(args) -> int`.
COMMAND_MODULES = ("align", "generate", "evaluate", "miniworld")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safetext", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"safetext.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"safetext.commands.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s")
    try:
        return int(args.func(args) or 0)
    except SafeTextError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
