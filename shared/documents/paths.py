"""Plain XML documents (the Loonaangifte is not XBRL): values found by a simple element path.

A path is the local names of the elements from the root's children down, separated by "/",
e.g. ``AdministratieveEenheid/TijdvakAangifte/DatAanvTv``. Namespaces are ignored on purpose:
the Belastingdienst gives each year's message a new namespace (``.../Loonaangifte/2025/01``)
while the element names stay. No XPath is evaluated, so a configuration cannot do more than
name elements.
"""

import re

from lxml import etree

from .xbrl import FactRow

PATH = re.compile(r"[A-Za-z_][\w.-]*(?:/[A-Za-z_][\w.-]*)*", re.ASCII)


def find_path(root: etree._Element, path: str) -> list[etree._Element]:
    """Every element at `path` below `root`, in document order."""
    found = [root]
    for step in path.split("/"):
        found = [child for parent in found for child in parent.iterchildren(etree.Element) if _local(child) == step]
    return found


def text_of(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()  # type: ignore[arg-type]  # lxml-stubs: itertext yields str


def leaf_rows(root: etree._Element) -> list[FactRow]:
    """Each element without child elements, named by its path: the readable table of a plain XML document."""
    return [
        FactRow(_path_of(element, root), "", text_of(element), "")
        for element in root.iter(etree.Element)
        if element is not root and not any(True for _ in element.iterchildren(etree.Element))
    ]


def _path_of(element: etree._Element, root: etree._Element) -> str:
    steps = []
    current: etree._Element | None = element  # below root: its ancestors lead up to root
    while current is not None and current is not root:
        steps.append(_local(current))
        current = current.getparent()
    return "/".join(reversed(steps))


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname
