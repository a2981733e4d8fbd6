"""Masking of personal data: names, phone numbers, e-mail addresses and ID-card numbers.

Every function takes a Series (or text) and returns a new one; inputs are never mutated and
missing values stay missing. Masking rules:

- name: the first character is kept and every later character (spaces included) becomes ``*``:
  ``张三丰 -> 张**``, ``John Smith -> J*********``. A one-character name becomes ``*``.
- phone: digits are taken out of ``+86 138-1234-1234`` style values (a ``+86``/``0086`` prefix in
  front of a mainland mobile number is dropped). Eleven digits keep the first 3 and last 4
  (``138****1234``); any other length keeps only the last 2 (``******78``). A value without
  digits is fully masked.
- e-mail: the first character of the local part and the whole domain are kept, the rest of the
  local part becomes ``*``: ``alice@example.com -> a****@example.com``. A value without ``@`` is
  masked like a name.
- free text (``scrub_text``): e-mail addresses, 18-digit ID-card numbers (``110***********1234``),
  mainland mobile numbers (``1[3-9]`` + 9 digits, optionally ``+86`` and spaces or dashes) and
  landlines (``010-12345678``, ``(0755) 1234567``) found inside the text are masked.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from .values import as_text

PERSONAL_COLUMNS: tuple[str, ...] = ("name", "phone", "email")
FREE_TEXT_COLUMNS: tuple[str, ...] = ("comment", "text")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d){8}(?![0-9A-Za-z])"
)
_LANDLINE = re.compile(r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)|0\d{2,3})[\s\-]?\d{7,8}(?![0-9A-Za-z])")
_COUNTRY = re.compile(r"^(?:0086|86)(?=1[3-9]\d{9}$)")


def mask_name(s: pd.Series) -> pd.Series:
    """Keep the first character, replace every later one with ``*`` (张三丰 -> 张**)."""
    text = as_text(s).str.strip()
    out = text.str.replace(r"(?s)(?<=.).", "*", regex=True)
    single = (text.str.len() == 1).fillna(False)
    return out.mask(single, "*")


def mask_phone(s: pd.Series) -> pd.Series:
    """138-1234-1234 / +86 13812341234 -> 138****1234; other lengths keep the last 2 digits."""
    text = as_text(s).str.strip()
    digits = text.str.replace(r"\D", "", regex=True).str.replace(_COUNTRY, "", regex=True)
    n = digits.str.len()
    mobile = (n == 11).fillna(False)
    short = digits.str.replace(r"\d(?=\d{2})", "*", regex=True)
    long = digits.str.slice(0, 3) + "****" + digits.str.slice(-4)
    out = short.mask(mobile, long)
    no_digits = (n == 0).fillna(False) & (text.str.len() > 0).fillna(False)
    return out.mask(no_digits, text.str.replace(r"(?s).", "*", regex=True))


def mask_email(s: pd.Series) -> pd.Series:
    """alice@example.com -> a****@example.com; a value without ``@`` is masked like a name."""
    text = as_text(s).str.strip()
    has_at = text.str.contains("@", regex=False).fillna(False)
    local = text.str.extract(r"^(.*)@", expand=False)
    domain = text.str.extract(r"@([^@]*)$", expand=False)
    masked_local = local.str.replace(r"(?s)(?<=.).", "*", regex=True)
    masked_local = masked_local.mask((local.str.len() == 1).fillna(False), "*")
    out = (masked_local.fillna("") + "@" + domain.fillna("")).astype("string")
    return out.where(has_at, mask_name(text))


_MASKERS = {"name": mask_name, "phone": mask_phone, "email": mask_email}


def mask_personal(df: pd.DataFrame, columns: Sequence[str] = PERSONAL_COLUMNS) -> pd.DataFrame:
    """A copy of ``df`` with each of ``columns`` present masked by its masker.

    ``phone`` and ``email`` use their own maskers; any other listed column is masked like a name.
    """
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = _MASKERS.get(col, mask_name)(out[col])
    return out


def _phone_digits(value: str) -> str:
    return _COUNTRY.sub("", re.sub(r"\D", "", value))


def _mask_phone_match(m: re.Match) -> str:
    digits = _phone_digits(m.group(0))
    if len(digits) == 11:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def _mask_email_match(m: re.Match) -> str:
    local, _, domain = m.group(0).rpartition("@")
    return (local[0] + "*" * (len(local) - 1) if len(local) > 1 else "*") + "@" + domain


def _mask_id_match(m: re.Match) -> str:
    v = m.group(0)
    return v[:3] + "*" * 11 + v[-4:]


def scrub_text(s: pd.Series) -> pd.Series:
    """Mask e-mails, ID-card numbers, mobile and landline numbers inside free text."""
    text = as_text(s)
    text = text.str.replace(_EMAIL, _mask_email_match, regex=True)
    text = text.str.replace(_ID_CARD, _mask_id_match, regex=True)
    text = text.str.replace(_MOBILE, _mask_phone_match, regex=True)
    text = text.str.replace(_LANDLINE, _mask_phone_match, regex=True)
    return text


def find_personal_data(text: str, values: Iterable[object]) -> list[str]:
    """The raw values (names, phones, e-mails) that occur in ``text``, in first-seen order.

    Values are compared as stripped strings; a phone value is also looked for as its bare digits
    (``138-1234-1234`` is found as ``13812341234``). Missing, empty and one-character values are
    skipped (a single character would match almost any text); two-character Chinese names such
    as ``张三`` are checked as the full string.
    """
    vals = pd.Series(list(values), dtype=object)
    if vals.empty or not text:
        return []
    cleaned = as_text(vals).str.strip().dropna()
    cleaned = cleaned[cleaned.str.len() > 1].drop_duplicates()
    found: list[str] = []
    for v in cleaned:
        digits = _phone_digits(v)
        if v in text or (len(digits) >= 7 and len(digits) >= len(v) - 4 and digits in text):
            found.append(v)
    return found


__all__ = [
    "FREE_TEXT_COLUMNS",
    "PERSONAL_COLUMNS",
    "as_text",
    "find_personal_data",
    "mask_email",
    "mask_name",
    "mask_personal",
    "mask_phone",
    "scrub_text",
]
