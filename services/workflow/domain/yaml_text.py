"""Reading configuration YAML text, refusing what PyYAML would silently accept."""

from typing import Any

import yaml


class _NoDuplicateKeysLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping.

    PyYAML keeps the last of two equal keys; a second ``tasks:`` would then
    silently drop the first list of tasks.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class YamlTextError(ValueError):
    """The text is not YAML we accept; the message says where."""


def parse_yaml(text: str) -> Any:
    """The document in ``text``; raises :class:`YamlTextError` with line and column."""
    try:
        return yaml.load(text, Loader=_NoDuplicateKeysLoader)
    except yaml.YAMLError as error:
        raise YamlTextError(_describe(error)) from None


def _describe(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return f"YAML does not parse: {problem}"
    return f"YAML does not parse at line {mark.line + 1}, column {mark.column + 1}: {problem}"
