"""Practise mode's two catalogs are complete: every message marked in the source has a
real, non-fuzzy translation in English and in Brazilian Portuguese, and the shipped .mo
files are the compiled .po files (so an install speaks both languages)."""

import re
import string

import pytest

babel = pytest.importorskip("babel", reason="Babel extracts the messages (test extra)")

from exercises.practice import catalogs  # noqa: E402
from exercises.practice.i18n import _, language_from, set_language  # noqa: E402


def test_every_message_has_a_translation_in_both_catalogs():
    assert len(catalogs.source_messages()) > 100
    assert catalogs.problems() == []


def test_the_english_catalog_is_the_identity_and_the_portuguese_one_is_not():
    english, portuguese = catalogs.read("en"), catalogs.read("pt_BR")
    same = []
    for message in english:
        if not message.id:
            continue
        assert message.string == message.id
        if portuguese[message.id].string == message.id:
            same.append(message.id)
    # only these words are the same in both languages
    assert set(same) <= {"TODO: ", "forward", "interface"}, same


def test_translations_keep_every_placeholder():
    fields = string.Formatter()
    for message in catalogs.read("pt_BR"):
        if not message.id:
            continue
        names = sorted(f[1] for f in fields.parse(message.id) if f[1] is not None)
        assert sorted(f[1] for f in fields.parse(message.string) if f[1] is not None) \
            == names, message.id


def test_the_portuguese_is_brazilian_and_written_for_students():
    text = " ".join(m.string for m in catalogs.read("pt_BR") if m.id)
    for word in ("você", "Bote a mão na massa", "neurônio", "época", "função", "Diagnóstico"):
        assert word in text, word
    # European Portuguese spellings and forms a Brazilian student would trip over
    for word in ("ficheiro", "utilizador", "ecrã", "registo", " tu "):
        assert word not in text, word
    assert not re.search(r"\bestá a \w+r\b", text)  # "está a fazer" instead of "fazendo"


def test_the_language_is_chosen_by_flag_or_locale():
    assert language_from("pt") == language_from("pt_BR") == "pt"
    assert language_from("en") == "en"
    assert language_from(environ={"LANG": "pt_BR.UTF-8"}) == "pt"
    assert language_from(environ={"LC_ALL": "pt_BR.UTF-8", "LANG": "en_US.UTF-8"}) == "pt"
    assert language_from(environ={"LANGUAGE": "en:pt", "LANG": "pt_BR.UTF-8"}) == "en"
    assert language_from(environ={}) == "en"
    with pytest.raises(ValueError, match="pt, en"):
        language_from("fr")
    set_language("pt")
    assert _("training") == "treino"
    set_language("en")
    assert _("training") == "training"
