"""Reaction templates in each language: the shipped ones read in Dutch and English, a page offers only those with
a wording in its language and the comment takes that wording, and a wrong file is refused with what is wrong."""

import pytest

from services.portal.reactions import load_reactions
from shared.settings import Settings


def test_the_shipped_templates_have_a_dutch_and_an_english_wording_under_one_key():
    templates = load_reactions(Settings().config_dir / "reaction_templates.yaml")
    dutch, english = templates.offered("nl"), templates.offered("en")
    assert [key for key, _ in dutch] == [key for key, _ in english] and len(dutch) == 4
    assert ("graag-toelichting", "Graag toelichting") in dutch and ("graag-toelichting", "Please explain") in english
    assert templates.text("graag-toelichting", "en") == "Could you explain how this amount was calculated?"
    assert templates.text("graag-toelichting", "nl") == "Kunt u toelichten hoe dit bedrag is berekend?"
    assert templates.text("no-such-key", "nl") == ""


def test_a_template_without_an_english_wording_is_not_offered_in_english(tmp_path):
    path = tmp_path / "reaction_templates.yaml"
    path.write_text(
        "Accorderingsbericht:\n"
        "  - {key: a, nl: {title: Alleen Nederlands, text: Tekst}}\n"
        "  - {key: b, en: {title: English only, text: Text}}\n"
    )
    templates = load_reactions(path)
    assert templates.offered("nl") == [("a", "Alleen Nederlands")] and templates.offered("en") == [
        ("b", "English only")
    ]
    assert templates.text("a", "en") == "" and templates.text("b", "nl") == ""


def test_the_older_form_reads_as_dutch_only(tmp_path):
    path = tmp_path / "reaction_templates.yaml"
    path.write_text('Accorderingsbericht:\n  Bedrag klopt niet: "Het bedrag klopt niet."\n')
    templates = load_reactions(path)
    assert templates.offered("nl") == [("Bedrag klopt niet", "Bedrag klopt niet")] and templates.offered("en") == []
    assert templates.text("Bedrag klopt niet", "nl") == "Het bedrag klopt niet."


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("Accorderingsbericht: 3\n", "must list its reaction templates"),
        ("Accorderingsbericht:\n  - {key: a}\n", "without a wording in nl or en: ['a']"),
        ("Accorderingsbericht:\n  - {key: a, nl: {title: A, text: ''}}\n", "is not as described"),
        ("Accorderingsbericht:\n  - {key: a, de: {title: A, text: B}}\n", "is not as described"),
        (
            "Accorderingsbericht:\n  - {key: a, nl: {title: A, text: B}}\n  - {key: a, nl: {title: C, text: D}}\n",
            "have the same key",
        ),
    ],
)
def test_a_wrong_file_is_refused_saying_what_is_wrong(tmp_path, content, said):
    path = tmp_path / "reaction_templates.yaml"
    path.write_text(content)
    with pytest.raises(ValueError, match=r"reaction_templates\.yaml") as refused:
        load_reactions(path)
    assert said in str(refused.value)


def test_no_file_is_no_templates(tmp_path):
    assert load_reactions(tmp_path / "absent.yaml").offered("nl") == []
