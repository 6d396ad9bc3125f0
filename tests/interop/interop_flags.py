"""Tiny command-line flag parser shared by the Python interop reference peers.

Arguments are `--name=value` (a bare `--name` means "true"), and only names present in the
defaults are accepted. The C++ peers take the same flags (interop_flags.h, on the tree's
parser tools/common/flags.h, which also accepts `--name value`, `--no-name` for a boolean and
`-` for `_` in names).
"""


class FlagError(Exception):
    pass


def parse_flags(argv, defaults):
    """Returns a dict of flag values: `defaults` overridden by argv."""
    flags = dict(defaults)
    for arg in argv:
        if not arg.startswith("--"):
            raise FlagError(f"unexpected argument: {arg}")
        name, sep, value = arg[2:].partition("=")
        if name not in flags:
            raise FlagError(f"unknown flag: --{name}")
        flags[name] = value if sep else "true"
    return flags


def parse_bool(flags, name):
    value = flags[name]
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise FlagError(f"--{name} must be true or false")


def parse_int(flags, name, lo, hi):
    value = flags[name]
    if not value.isdigit() or not lo <= int(value) <= hi:
        raise FlagError(f"--{name}=N ({lo}..{hi}) is required")
    return int(value)
