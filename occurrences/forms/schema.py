"""The API schema of a submission, derived from the form definition: one optional field per form term (values
as the user typed them: text, or a JSON number), plus ``lang``. Unknown keys are refused, so a typo in a
client's field name is a clear 422 instead of a silently dropped value."""
from __future__ import annotations

from functools import lru_cache
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..i18n import LANGUAGES
from . import load_form

Cell = Optional[Union[str, int, float]]


@lru_cache(maxsize=None)
def submission_model(form_id: str = "occurrence") -> type[BaseModel]:
    form = load_form(form_id)
    fields = {f.term: (Cell, Field(None, description=f"{f.labels['en']}: {f.help['en']}"
                                   + (" Required." if f.required else "")
                                   + (f" One of: {', '.join(c.value for c in f.choices)} (or a localized label)."
                                      if f.choices else "")))
              for f in form.fields}
    fields["lang"] = (Optional[Literal[LANGUAGES]], Field(None, description="Language of the submission"))
    return create_model("OccurrenceSubmission", __config__=ConfigDict(extra="forbid"), **fields)


def as_columns(submission: BaseModel) -> dict[str, list[str]]:
    """One submission → the import pipeline's raw string columns (one row)."""
    data = submission.model_dump(exclude={"lang"}, exclude_none=True)
    return {term: ["" if v is None else str(v)] for term, v in data.items()}


__all__ = ["submission_model", "as_columns"]
