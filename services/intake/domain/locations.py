"""File locations: intake reaches attachments over UNC paths only, never a local drive of some machine."""

import re

_LOCAL_DRIVE = re.compile(r"([A-Za-z]):[\\/]*(.*)", re.DOTALL)


def is_local_drive_path(location: str) -> bool:
    return _LOCAL_DRIVE.fullmatch(location) is not None


def unc_form(location: str, host: str = "client") -> str:
    r"""``C:\Import\file.pdf`` → ``\\client\C$\Import\file.pdf``: the administrative share of the same drive."""
    match = _LOCAL_DRIVE.fullmatch(location)
    if match is None:
        raise ValueError(f"not a local drive path: {location!r}")
    drive, rest = match.groups()
    return f"\\\\{host}\\{drive.upper()}$\\" + rest.replace("/", "\\")
