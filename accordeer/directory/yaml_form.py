"""The YAML form of a directory file: ``parties:``, a list of parties, each found back by its line.

Loading is safe (no Python objects) and reads every number as text: YAML 1.1
would read ``Fi: 001234567`` as an octal integer and ``KvK: 12345678`` as an
integer, and a registered number must keep its leading zeros.
"""

import re
from functools import partial

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from accordeer.directory.validation import Entry, Problem

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
Resolvers = dict[str | None, list[tuple[str, re.Pattern[str]]]]


def _without_numbers(resolvers: Resolvers) -> Resolvers:
    """A copy of a loader's implicit resolvers (by first character) without those that read a scalar as a number."""
    return {
        first: [(tag, pattern) for tag, pattern in by_first if tag not in _NUMBER_TAGS]
        for first, by_first in resolvers.items()
    }


class _TextNumbersLoader(yaml.SafeLoader):
    # PyYAML keeps the resolvers on the class, shared by its loaders; this one gets a copy without the numbers.
    yaml_implicit_resolvers = _without_numbers(yaml.SafeLoader.yaml_implicit_resolvers)


def entries_from_yaml(text: str) -> tuple[list[Entry], list[Problem]]:
    try:
        loader = _TextNumbersLoader(text)  # it reads the first characters already: a control character fails here
    except yaml.YAMLError as error:
        return [], [Problem(1, f"not valid YAML: {error}")]
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return [], [Problem(mark.line + 1 if mark else 1, f"not valid YAML: {getattr(error, 'problem', error)}")]
    finally:
        loader.dispose()
    if root is None or not isinstance(document, dict) or not isinstance(document.get("parties"), list):
        return [], [Problem(1, "expected a top-level 'parties:' with a list of parties")]
    problems = [
        Problem(key.start_mark.line + 1, f"unknown top-level key '{key.value}' (only 'parties')")
        for key, _ in root.value
        if key.value != "parties"
    ] + _doubled_keys(root, set())
    parties = _child(root, "parties")
    assert parties is not None, "the document has a 'parties' list, so its root mapping has that key"
    nodes = parties[0].value
    return [
        Entry(_with_number_lists(fields), node.start_mark.line + 1, partial(_line_of, node))
        for node, fields in zip(nodes, document["parties"], strict=True)
    ], problems


def _with_number_lists(fields):
    """A single number may be given without a list; an empty type is left out."""
    if isinstance(fields, dict) and isinstance(fields.get("numbers"), dict):
        numbers = {kind: [value] if isinstance(value, str) else value for kind, value in fields["numbers"].items()}
        return {**fields, "numbers": {kind: value for kind, value in numbers.items() if value not in (None, [])}}
    return fields


def _doubled_keys(node: Node, visited: set[int]) -> list[Problem]:
    """PyYAML keeps the last of two equal keys, which would silently drop the first one's contacts or numbers."""
    if id(node) in visited:  # an alias: its node was judged where it was defined
        return []
    visited.add(id(node))
    children = (
        [v for _, v in node.value]
        if isinstance(node, MappingNode)
        else (node.value if isinstance(node, SequenceNode) else [])
    )
    keys = [k for k, _ in node.value] if isinstance(node, MappingNode) else []
    problems = [
        Problem(k.start_mark.line + 1, f"'{k.value}' is given twice in one mapping")
        for i, k in enumerate(keys)
        if k.value in {earlier.value for earlier in keys[:i]}
    ]
    return problems + [p for child in children for p in _doubled_keys(child, visited)]


def _line_of(node: Node, loc: tuple) -> int:
    """The line that names the deepest part of ``loc`` the file has (a missing field: its mapping's line)."""
    line = node.start_mark.line + 1
    for part in loc:
        found = _child(node, part)
        if found is None:
            break
        node, line = found
    return line


def _child(node: Node, part) -> tuple[Node, int] | None:
    """The node of ``part`` and the line of its key (a block list under ``contacts:`` starts a line later)."""
    if isinstance(node, MappingNode):
        pairs = [(key, value) for key, value in node.value if key.value == str(part)]
        return (pairs[-1][1], pairs[-1][0].start_mark.line + 1) if pairs else None  # the last: the one PyYAML keeps
    if isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part], node.value[part].start_mark.line + 1
    return None
