"""Practise mode's two languages, with Python's gettext and the catalogs in `locale/`.

English (`en`) and Brazilian Portuguese (`pt_BR`). The language comes from `--lang`, else
from the locale variables in gettext's order (LANGUAGE, LC_ALL, LC_MESSAGES, LANG):
`LANG=pt_BR.UTF-8` gives Portuguese, another language English. Where the locale names no
language (unset, C, POSIX), `check` speaks the language of the starter it checks. Messages are marked `_("...")`
in the source; `python -m exercises.practice.catalogs update` collects them with Babel.

>>> set_language("pt")
'pt'
>>> _("training")
'treino'
>>> set_language("en")
'en'
"""

import gettext
import os
from pathlib import Path

__all__ = ["LANGUAGES", "_", "get_language", "language_from", "locale_language",
           "set_language"]

DOMAIN = "practice"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The short names `--lang` takes, with their catalogs.
LANGUAGES = {"pt": "pt_BR", "en": "en"}

_state = {"lang": None, "translation": None}


def language_from(lang=None, environ=None, default="en"):
    """'pt' or 'en': `lang` when given (pt, pt_BR, pt-BR, en, en_US...), else the locale,
    else `default` (the locale is unset or C).

    >>> language_from("pt-BR"), language_from(environ={"LANG": "pt_BR.UTF-8"})
    ('pt', 'pt')
    >>> language_from(environ={"LANGUAGE": "en_GB:pt", "LANG": "pt_BR.UTF-8"})
    'en'
    """
    if lang:
        code = str(lang).strip().lower().replace("-", "_")
        if code.split("_")[0] not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        return code.split("_")[0]
    return locale_language(environ) or default


def locale_language(environ=None):
    """'pt' or 'en' from the locale variables, None when they name no language (unset, C).

    >>> locale_language({"LC_ALL": "C.UTF-8"}) is None
    True
    """
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            first = value.split(":")[0].split(".")[0].lower()
            if first in ("c", "posix"):
                return None
            return "pt" if first.startswith("pt") else "en"
    return None


def set_language(lang=None):
    """Use `lang` ('pt' or 'en'; None: from the locale) for every message from now on."""
    code = language_from(lang)
    _state["lang"] = code
    _state["translation"] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[LANGUAGES[code]])
    return code


def get_language():
    """The language in use, 'pt' or 'en' (chosen from the locale on first use)."""
    if _state["lang"] is None:
        set_language()
    return _state["lang"]


def _(message):
    """`message` translated into the language in use."""
    if _state["translation"] is None:
        set_language()
    return _state["translation"].gettext(message)
