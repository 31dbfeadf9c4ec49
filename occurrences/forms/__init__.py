"""The submission form as data: :file:`occurrence.toml` is the single definition behind the web form, the
CSV/XLSX templates, the XLSForm, the API schema and the header mapping of imports.

:func:`load_form` reads and checks it once (every language present, labels distinct, terms known), so a
broken edit by a reviewer fails at start-up with a message naming the field and language, not later.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..i18n import LANGUAGES
from ..records import FIELD_BY_NAME

HERE = Path(__file__).parent
FIELD_TYPES = ("text", "taxon", "date", "select_one", "latitude", "longitude", "coordinates", "decimal", "integer")
# English names of the languages, as the XLSForm convention wants them ("label::Thai (th)").
LANGUAGE_ENGLISH_NAMES = {"en": "English", "th": "Thai", "vi": "Vietnamese", "km": "Khmer", "lo": "Lao",
                          "my": "Burmese"}


class FormDefinitionError(ValueError):
    """The form definition file is incomplete or inconsistent (a developer/reviewer error, not user input)."""


@dataclass(frozen=True)
class Choice:
    value: str
    labels: dict[str, str]
    review: str = ""
    former: dict[str, str] = field(default_factory=dict)  # lang → a label of earlier versions, still accepted

    def label(self, lang: str) -> str:
        return self.labels[lang]


@dataclass(frozen=True)
class FormField:
    term: str
    type: str
    required: bool
    labels: dict[str, str]
    help: dict[str, str]
    choices: tuple[Choice, ...] = ()
    default: str | None = None
    review: str = ""
    former: dict[str, str] = field(default_factory=dict)  # lang → a label of earlier versions, still accepted

    def label(self, lang: str) -> str:
        return self.labels[lang]

    def choice_label(self, value: str, lang: str) -> str:
        return next((c.label(lang) for c in self.choices if c.value == value), value)

    def to_dict(self, lang: str) -> dict:
        return {"term": self.term, "label": self.labels[lang], "help": self.help[lang], "type": self.type,
                "required": self.required, "default": self.default,
                "choices": [{"value": c.value, "label": c.label(lang)} for c in self.choices]}


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    titles: dict[str, str]
    fields: tuple[FormField, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(f.term for f in self.fields)

    def field(self, term: str) -> FormField:
        for f in self.fields:
            if f.term == term:
                return f
        raise KeyError(term)

    def to_dict(self, lang: str) -> dict:
        """The definition in one language: what ``occurrences form --lang LANG --json`` prints."""
        return {"id": self.id, "version": self.version, "lang": lang, "title": self.titles[lang],
                "fields": [f.to_dict(lang) for f in self.fields]}


@lru_cache(maxsize=None)
def load_form(name: str = "occurrence") -> Form:
    path = HERE / f"{name}.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    fields = tuple(_field(raw, path.name) for raw in data.get("fields", ()))
    form = Form(data["id"], str(data.get("version", "")), _texts(data, "title", path.name), fields)
    _check_unique_labels(form, path.name)
    return form


def _field(raw: dict, source: str) -> FormField:
    term = raw.get("term", "?")
    where = f"{source}, field {term}"
    if term not in FIELD_BY_NAME or FIELD_BY_NAME[term].system:
        raise FormDefinitionError(f"{where}: {term!r} is not a submittable Darwin Core term of records.FIELDS")
    if raw.get("type") not in FIELD_TYPES:
        raise FormDefinitionError(f"{where}: type {raw.get('type')!r} is not one of {', '.join(FIELD_TYPES)}")
    choices = tuple(Choice(str(c["value"]), _texts(c, "label", f"{where}, choice {c.get('value')}"),
                           c.get("review", ""), _former(c)) for c in raw.get("choices", ()))
    if (raw["type"] == "select_one") != bool(choices):
        raise FormDefinitionError(f"{where}: select_one fields need choices, and only they may have them")
    default = raw.get("default")
    if default is not None and choices and default not in {c.value for c in choices}:
        raise FormDefinitionError(f"{where}: default {default!r} is not one of its choices")
    return FormField(term, raw["type"], bool(raw.get("required", False)), _texts(raw, "label", where),
                     _texts(raw, "help", where), choices, default, raw.get("review", ""), _former(raw))


def _former(raw: dict) -> dict[str, str]:
    """``former.xx``: the label a reviewed term replaced, so spreadsheets made from older templates still import."""
    return {lang: str(text).strip() for lang, text in (raw.get("former") or {}).items() if str(text).strip()}


def _texts(raw: dict, key: str, where: str) -> dict[str, str]:
    texts = raw.get(key) or {}
    missing = [lang for lang in LANGUAGES if not str(texts.get(lang, "")).strip()]
    if missing:
        raise FormDefinitionError(f"{where}: {key} missing in {', '.join(missing)}")
    return {lang: str(texts[lang]).strip() for lang in LANGUAGES}


def _check_unique_labels(form: Form, source: str) -> None:
    """A header must name one field whatever the language, or imports could not map columns."""
    from .headers import header_key

    owner: dict[str, str] = {}
    for f in form.fields:
        for name in (f.term, *f.labels.values(), *f.former.values()):
            key = header_key(name)
            if owner.setdefault(key, f.term) != f.term:
                raise FormDefinitionError(f"{source}: label {name!r} of {f.term} is also used by {owner[key]}")
        seen: dict[str, str] = {}
        for c in f.choices:
            for text in (c.value, *c.labels.values(), *c.former.values()):
                if seen.setdefault(header_key(text), c.value) != c.value:
                    raise FormDefinitionError(f"{source}: field {f.term}: choice label {text!r} is used by "
                                              f"{seen[header_key(text)]} and {c.value}")


__all__ = ["Choice", "Form", "FormField", "FormDefinitionError", "load_form", "LANGUAGE_ENGLISH_NAMES"]
