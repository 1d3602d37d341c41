"""Why intake refuses something: the stable reason codes, part of the published contract.

External packages read these codes (in the dead-letter headers and in the refused
status event), so a code is never renamed or reused for another meaning.
"""

from enum import StrEnum

from shared.documents.summary import EXPLANATIONS as DOCUMENT_EXPLANATIONS


class ReasonCode(StrEnum):
    NOT_JSON = "not_json"
    NOT_UTF8 = "not_utf8"
    TOO_LARGE = "too_large"
    UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"
    INVALID_SCHEMA = "invalid_schema"
    UNKNOWN_FIELD = "unknown_field"
    REACTIONS_NOT_IMPORTABLE = "reactions_not_importable"
    DESTINATION_REFERENCE_NOT_ALLOWED = "destination_reference_not_allowed"
    LOCAL_DRIVE_PATH = "local_drive_path"
    ATTACHMENT_NOT_ALLOWED = "attachment_not_allowed"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    UNAUTHORISED_SUBMITTER = "unauthorised_submitter"
    UNKNOWN_SOURCE = "unknown_source"
    SOURCE_MISMATCH = "source_mismatch"
    MESSAGE_ID_REUSED = "message_id_reused"
    DESTINATION_REPEATED = "destination_repeated"
    DESTINATION_UNKNOWN = "destination_unknown"
    DESTINATION_INACTIVE = "destination_inactive"
    CONTACT_NOT_OF_DESTINATION = "contact_not_of_destination"
    IDENTITY_NOT_REGISTERED = "identity_not_registered"
    SUBMITTED_IN_FUTURE = "submitted_in_future"
    DOCUMENT_NOT_XML = "document_not_xml"
    DOCUMENT_UNSAFE = "document_unsafe"
    DOCUMENT_FACT_MISSING = "document_fact_missing"
    DOCUMENT_IDENTITY_MISMATCH = "document_identity_mismatch"
    ITEM_TYPE_BUILT_IN = "item_type_built_in"
    SETTING_NOT_CHANGEABLE = "setting_not_changeable"
    UNKNOWN_SETTING = "unknown_setting"
    INVALID_SETTING_VALUE = "invalid_setting_value"

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self]


EXPLANATIONS: dict[ReasonCode, str] = {
    ReasonCode.NOT_JSON: "The record value is empty, not valid JSON, not a JSON object, or nested too deeply.",
    ReasonCode.NOT_UTF8: "The record value is not UTF-8 text, or contains an unpaired surrogate escape.",
    ReasonCode.TOO_LARGE: "The record value is larger than the configured limit (default 1 MiB).",
    ReasonCode.UNKNOWN_SCHEMA_VERSION: "schema_version is missing or is not 1, the only version this intake reads.",
    ReasonCode.INVALID_SCHEMA: "A field is missing, has the wrong type or an invalid value.",
    ReasonCode.UNKNOWN_FIELD: "The message has a field that inbound declaration version 1 does not define.",
    ReasonCode.REACTIONS_NOT_IMPORTABLE: "Reactions cannot be imported with a dossier item.",
    ReasonCode.DESTINATION_REFERENCE_NOT_ALLOWED: (
        "A destination uses a reference other than organisation_person_id and contact_id (e.g. an employee id)."
    ),
    ReasonCode.LOCAL_DRIVE_PATH: "The attachment location is a local drive path; give its UNC form instead.",
    ReasonCode.ATTACHMENT_NOT_ALLOWED: "The dossier item type does not allow linking a file, so no attachment.",
    ReasonCode.TOO_MANY_ATTACHMENTS: "More than one attachment was given; at most one can be imported.",
    ReasonCode.UNAUTHORISED_SUBMITTER: "The submitter is not authorised for the dossier item type or the message type.",
    ReasonCode.UNKNOWN_SOURCE: "The source is not a registered external package.",
    ReasonCode.SOURCE_MISMATCH: (
        "The message was published on a source's own topic (declarations.from.<source>) but names another source."
    ),
    ReasonCode.MESSAGE_ID_REUSED: "The message_id was already used by this source with other content.",
    ReasonCode.DESTINATION_REPEATED: "The same organisation/person is a destination twice in one declaration.",
    ReasonCode.DESTINATION_UNKNOWN: (
        "A destination is not in the directory (yet); after it is loaded, the dead letter can be replayed."
    ),
    ReasonCode.DESTINATION_INACTIVE: "A destination is marked inactive in the directory.",
    ReasonCode.CONTACT_NOT_OF_DESTINATION: "contact_id is not a contact of that destination in the directory.",
    ReasonCode.IDENTITY_NOT_REGISTERED: (
        "identity.number is not registered for the destination under identity.type (not this client's number)."
    ),
    ReasonCode.SUBMITTED_IN_FUTURE: "submitted_at lies later than the time of intake plus the allowed clock skew.",
    **{ReasonCode(code): text for code, text in DOCUMENT_EXPLANATIONS.items()},
    ReasonCode.ITEM_TYPE_BUILT_IN: "The type Accorderingsbericht is built in and cannot be created or deleted.",
    ReasonCode.SETTING_NOT_CHANGEABLE: "Of the built-in type's settings, only 'confidential' can be changed.",
    ReasonCode.UNKNOWN_SETTING: "The dossier item type has no setting of that name.",
    ReasonCode.INVALID_SETTING_VALUE: "The new value of a dossier item type setting has the wrong type.",
}

MESSAGE_REFUSALS = frozenset(ReasonCode) - {
    ReasonCode.ITEM_TYPE_BUILT_IN,
    ReasonCode.SETTING_NOT_CHANGEABLE,
    ReasonCode.UNKNOWN_SETTING,
    ReasonCode.INVALID_SETTING_VALUE,
}
"""The codes an inbound message can be refused with; the others answer configuration commands."""
