"""Loading deploy/config/summaries.yaml: safe YAML, validated as a whole, every problem named in one sentence.

The only module of ``shared.documents`` that reads a file. A broken configuration stops the
caller with SummaryConfigError rather than summarising declarations wrongly.
"""

from pathlib import Path

import yaml
from pydantic import ValidationError

from .config import SummaryConfig


class SummaryConfigError(ValueError):
    """The configuration is unusable; the message lists every problem."""


def load_summary_config(path: Path) -> SummaryConfig:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SummaryConfigError(f"{path} cannot be read as YAML: {error}") from None
    return parse_summary_config(document, str(path))


def parse_summary_config(document: object, name: str = "summaries.yaml") -> SummaryConfig:
    """Validate an already parsed YAML document, e.g. one built in a test."""
    try:
        return SummaryConfig.model_validate(document)
    except ValidationError as error:
        problems = [f"- {_where(e['loc'])}: {e['msg']}" for e in error.errors()]
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise SummaryConfigError(
            f"{name} is not a valid summary configuration ({count}):\n" + "\n".join(problems)
        ) from None


def _where(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "the top level"
