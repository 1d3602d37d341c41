"""The import rules of intake, as pure functions: no Kafka, no database, no settings.

parse_declaration (bytes → declaration or refusal) → check_origin (a per-source topic
names the source) → check_reuse (against the
stored fingerprint) → accept_declaration (→ one dossier item per destination).
"""

from .authorisation import Authorisations, UserRights
from .fingerprint import check_reuse, fingerprint
from .item_type import (
    ACCORDERINGSBERICHT,
    BUILT_IN,
    DossierItemType,
    change_type_setting,
    create_item_type,
    delete_item_type,
    settings,
)
from .items import DossierItem, accept_declaration, dossier_item_id
from .locations import unc_form
from .origin import check_origin
from .parsing import Declaration, parse_declaration
from .reasons import EXPLANATIONS, MESSAGE_REFUSALS, ReasonCode
from .redaction import redact
from .refusal import Refusal

__all__ = [
    "ACCORDERINGSBERICHT",
    "BUILT_IN",
    "EXPLANATIONS",
    "MESSAGE_REFUSALS",
    "Authorisations",
    "Declaration",
    "DossierItem",
    "DossierItemType",
    "ReasonCode",
    "Refusal",
    "UserRights",
    "accept_declaration",
    "change_type_setting",
    "check_origin",
    "check_reuse",
    "create_item_type",
    "delete_item_type",
    "dossier_item_id",
    "fingerprint",
    "parse_declaration",
    "redact",
    "settings",
    "unc_form",
]
