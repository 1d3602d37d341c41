"""Intake's refusal of a row, as the person importing reads it: the column to change, and why in their language.

Intake's own text (English, for the developers of external packages) is the English; the Dutch is said here from
the reason code and the row's own values, so it names what the person typed.
"""

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from accordeer.importing.columns import Columns
from accordeer.importing.phrases import Phrase
from services.intake.domain import ReasonCode, Refusal, unc_form
from shared.contracts.inbound import InboundDeclaration

_FIELD_OF_REASON = {
    ReasonCode.LOCAL_DRIVE_PATH: "attachment",
    ReasonCode.ATTACHMENT_NOT_ALLOWED: "attachment",
    ReasonCode.TOO_MANY_ATTACHMENTS: "attachment",
    ReasonCode.UNAUTHORISED_SUBMITTER: "submitter",
    ReasonCode.DESTINATION_UNKNOWN: "organisation_person_id",
    ReasonCode.DESTINATION_INACTIVE: "organisation_person_id",
    ReasonCode.DESTINATION_REPEATED: "organisation_person_id",
    ReasonCode.CONTACT_NOT_OF_DESTINATION: "contact_id",
    ReasonCode.IDENTITY_NOT_REGISTERED: "identity_number",
    ReasonCode.SUBMITTED_IN_FUTURE: "submitted_at",
    ReasonCode.DOCUMENT_NOT_XML: "document",
    ReasonCode.DOCUMENT_UNSAFE: "document",
    ReasonCode.DOCUMENT_FACT_MISSING: "document",
    ReasonCode.DOCUMENT_IDENTITY_MISMATCH: "document",
    ReasonCode.TOO_LARGE: "document",
}
_FIELD_OF_PATH = {
    "subject": "subject",
    "message_type": "message_type",
    "submitter": "submitter",
    "submitted_at": "submitted_at",
    "organisation_person_id": "organisation_person_id",
    "contact_id": "contact_id",
    "number": "identity_number",
    "type": "identity_type",
    "document": "document",
    "attachment": "attachment",
}
_SCHEMA_WORDS = {
    "missing": "is verplicht",
    "string_too_short": "mag niet leeg zijn",
    "blank": "mag niet leeg zijn",
    "message_type": "mag alleen kleine letters, cijfers en enkele streepjes bevatten, bijvoorbeeld 'btw-aangifte'",
    "file_name": "moet een bestandsnaam zijn, zonder mappen of stuurtekens",
    "unc_path": "moet een UNC-pad zijn zoals \\\\server\\share\\map\\bestand.pdf",
    "free_field": "moet tekst (hoogstens 4000 tekens), een getal of waar/onwaar zijn",
}


def explain(
    refusal: Refusal, declaration: Mapping[str, Any], fields: Mapping[str, str], columns: Columns
) -> tuple[str, Phrase]:
    """(the column to change, the reason) for a refusal of the row whose declaration and values are given."""
    if refusal.reason_code in (ReasonCode.INVALID_SCHEMA, ReasonCode.UNKNOWN_FIELD):
        return _schema(refusal, declaration, fields, columns)
    name = _FIELD_OF_REASON.get(refusal.reason_code)
    if refusal.reason_code == ReasonCode.DOCUMENT_IDENTITY_MISMATCH and columns.has("identity_number"):
        name = "identity_number"  # the document is what the package made; the number typed beside it is what to fix
    column = columns.header_of(name) if name else ""
    return column, Phrase(_dutch(refusal, declaration, fields, columns), refusal.message)


def _dutch(refusal: Refusal, declaration: Mapping[str, Any], fields: Mapping[str, str], columns: Columns) -> str:
    code = refusal.reason_code
    destination = (declaration.get("destinations") or [{}])[0]
    organisation, contact = destination.get("organisation_person_id", ""), destination.get("contact_id", "")
    identity = declaration.get("identity") or {}
    document = (declaration.get("document") or {}).get("file_name", "")
    if code == ReasonCode.UNAUTHORISED_SUBMITTER:
        who = declaration.get("submitter") or f"de servicegebruiker van bron {declaration.get('source')!r}"
        return (
            f"instuurder {who!r} is geen bekende gebruiker of mag berichttype {declaration.get('message_type')!r}"
            f" niet insturen; geef in '{columns.header_of('submitter')}' (of met --as) iemand die dat mag"
        )
    if code == ReasonCode.DESTINATION_UNKNOWN:
        return (
            f"{organisation} is (nog) geen klant in het relatiebestand van het kantoor; voeg de klant toe"
            " (accordeer directory) en importeer dan opnieuw"
        )
    if code == ReasonCode.DESTINATION_INACTIVE:
        return f"{organisation} staat in het relatiebestand als niet actief"
    if code == ReasonCode.CONTACT_NOT_OF_DESTINATION:
        return f"contactpersoon {contact} hoort in het relatiebestand niet bij {organisation}"
    if code == ReasonCode.IDENTITY_NOT_REGISTERED:
        return (
            f"nummer {identity.get('type')} {fields.get('identity_number') or identity.get('number')!r} staat in"
            f" het relatiebestand niet bij {organisation}"
        )
    if code == ReasonCode.SUBMITTED_IN_FUTURE:
        return (
            f"instuurdatum {fields.get('submitted_at')!r} ligt na het moment van inlezen;"
            " geef een datum die al voorbij is"
        )
    if code == ReasonCode.LOCAL_DRIVE_PATH:
        location = (declaration.get("attachment") or {}).get("location", "")
        return f"{location!r} is een pad op een lokale schijf; geef het UNC-pad: {unc_form(location)}"
    if code == ReasonCode.ATTACHMENT_NOT_ALLOWED:
        return "het type dossieritem staat geen gekoppeld bestand toe; laat de bijlage weg"
    if code == ReasonCode.TOO_LARGE:
        return f"document {document} is te groot voor één bericht; geef een kleiner document"
    if code == ReasonCode.DOCUMENT_NOT_XML:
        return f"document {document} is geen leesbare XML (XBRL); maak het opnieuw aan in het pakket dat het maakte"
    if code == ReasonCode.DOCUMENT_UNSAFE:
        return f"document {document} bevat een DTD (DOCTYPE of ENTITY); dat mag niet in een aangifte"
    if code == ReasonCode.DOCUMENT_FACT_MISSING:
        concept = re.search(r"[\w-]+:[\w-]+", refusal.message)
        return (
            f"in document {document} ontbreekt een gegeven dat een {declaration.get('message_type')} nodig heeft,"
            f" of het is onleesbaar{f' ({concept.group(0)})' if concept else ''}; hoort het document bij dit"
            " berichttype?"
        )
    if code == ReasonCode.DOCUMENT_IDENTITY_MISMATCH:
        about = re.search(r"about '([^']*)'", refusal.message)
        subject = f"gaat over {about.group(1)!r}" if about else "gaat over een ander nummer"
        typed = fields.get("identity_number")
        return (
            f"document {document} {subject}, maar de aangifte noemt {identity.get('type')}"
            f" {typed or identity.get('number')!r}"
            + (
                ""
                if typed
                else f" (het nummer van {organisation} in het relatiebestand); hoort het document bij deze klant?"
            )
        )
    return f"intake weigert deze rij (reden: {code})"


def _schema(
    refusal: Refusal, declaration: Mapping[str, Any], fields: Mapping[str, str], columns: Columns
) -> tuple[str, Phrase]:
    try:
        InboundDeclaration.model_validate(dict(declaration))
    except ValidationError as invalid:
        error = invalid.errors(include_url=False, include_input=False)[0]
        column, value = _where(error["loc"], fields, declaration, columns)
        kind, context = error["type"], error.get("ctx") or {}
        if kind in ("string_too_long", "too_long") and "max_length" in context:
            unit = "tekens" if kind == "string_too_long" else "waarden"
            problem = f"is te lang: hoogstens {context['max_length']} {unit}"
        else:
            problem = _SCHEMA_WORDS.get(kind, "heeft geen geldige waarde")
        shown = f" {value!r}" if value else ""
        return column, Phrase(f"{column or 'de rij'}{shown} {problem}", refusal.message)
    return "", Phrase(f"intake weigert deze rij (reden: {refusal.reason_code})", refusal.message)


def _where(
    loc: tuple[Any, ...], fields: Mapping[str, str], declaration: Mapping[str, Any], columns: Columns
) -> tuple[str, str]:
    """The header and the typed value a validation error's location points at."""
    if len(loc) >= 2 and loc[0] in ("characteristics", "free_fields"):
        kind = loc[0].removesuffix("s")
        header = next((columns.headers[i] for i, (k, key) in columns.maps.items() if (k, key) == (kind, loc[1])), "")
        return header, str((declaration.get(loc[0]) or {}).get(loc[1], ""))
    name = next((_FIELD_OF_PATH[p] for p in reversed(loc) if isinstance(p, str) and p in _FIELD_OF_PATH), None)
    return (columns.header_of(name), fields.get(name, "")) if name else ("", "")
