"""Keep practise mode's translations complete: extract, update, compile and check them.

Needs Babel (`pip install babel`, in the `test` and `dev` extras); learners never run it.

    python -m exercises.practice.catalogs update   # extract the messages, update both .po
                                                   # (English: the messages themselves;
                                                   # pt_BR: new ones left empty), compile .mo
    python -m exercises.practice.catalogs check    # list what is missing, fuzzy or stale

The compiled `.mo` files are committed next to their `.po` sources, so an install has them.
"""

import io
import sys
from pathlib import Path

from .i18n import DOMAIN, LANGUAGES, LOCALE_DIR

SOURCE_DIR = Path(__file__).resolve().parent
LANGUAGE_NAMES = {"en": "English", "pt_BR": "Brazilian Portuguese"}
HEADER = """\
# Practise mode's messages in {language} (exercises/practice/).
# Update with: python -m exercises.practice.catalogs update
# This file is distributed under the same license as the autograd-lite project.
#"""


def source_messages():
    """The msgids marked with _() in practise mode's source, in a stable order."""
    from babel.messages.extract import extract_from_dir

    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(SOURCE_DIR), method_map=[("**.py", "python")], keywords={"_": None}):
        if isinstance(message, str):
            found.setdefault(message, filename)
    return found


def po_path(locale):
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(locale):
    from babel.messages.pofile import read_po

    with open(po_path(locale), "rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def compiled(catalog):
    """The .mo bytes of `catalog`."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update():
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    messages = source_messages()
    for locale in LANGUAGES.values():
        old = read(locale) if po_path(locale).exists() else Catalog(locale=locale)
        new = Catalog(locale=locale, domain=DOMAIN, project="autograd-lite",
                      version="0.1", copyright_holder="the autograd-lite contributors",
                      msgid_bugs_address="the autograd-lite issue tracker", last_translator="the autograd-lite contributors",
                      language_team=LANGUAGE_NAMES[locale], fuzzy=False,
                      header_comment=HEADER.format(language=LANGUAGE_NAMES[locale]))
        if po_path(locale).exists():  # keep the dates: an update without changes changes nothing
            new.creation_date = old.creation_date
        new.revision_date = new.creation_date
        for msgid in sorted(messages):
            previous = old.get(msgid)
            if locale == "en":
                msgstr = msgid
            else:
                msgstr = previous.string if previous is not None and not previous.fuzzy \
                    else ""
            new.add(msgid, msgstr)
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            write_po(f, new, width=100, omit_header=False, no_location=True)
        path.with_suffix(".mo").write_bytes(compiled(new))


def problems():
    """Every message without a usable translation, and every stale .mo, as sentences."""
    found = []
    messages = source_messages()
    for locale in LANGUAGES.values():
        catalog = read(locale)
        for msgid, filename in messages.items():
            entry = catalog.get(msgid)
            if entry is None:
                found.append(f"{locale}: {msgid!r} ({filename}) is not in the catalog")
            elif not entry.string:
                found.append(f"{locale}: {msgid!r} has no translation")
            elif entry.fuzzy:
                found.append(f"{locale}: {msgid!r} is marked fuzzy")
        mo = po_path(locale).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{locale}: {mo.name} is not the compiled {po_path(locale).name}")
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    found = problems()
    print("\n".join(found) or "both catalogs are complete")
    sys.exit(1 if found else 0)
