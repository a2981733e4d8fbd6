"""Customers: the latent draws (region, type, signup, stories) and the customers table."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .arrays import _customer_ids, _take
from .calendar import _Calendar
from .constants import CITY_WEIGHTS, REGION_SHARES, STORY_C_REGION, YOUNG_AGE
from .vocab import (
    _EN_FEMALE,
    _EN_LAST,
    _EN_MALE,
    _FEMALE_CHARS,
    _GOV_UNITS,
    _MAIL_EN,
    _MAIL_ZH,
    _MALE_CHARS,
    _ORG_KINDS,
    _ORG_WORDS,
    _SURNAMES,
    _ZH_NUMBERS,
)


def _draw_customers(n: int, cal: _Calendar, rng: np.random.Generator) -> dict:
    region = rng.choice(4, size=n, p=REGION_SHARES).astype(np.int8)
    ctype = rng.choice(3, size=n, p=(0.90, 0.08, 0.02)).astype(np.int8)
    individual = ctype == 0
    # signup: 35 % in the four years before the window, the rest growing through the window
    pre = rng.random(n) < 0.35
    signup = np.empty(n, dtype=np.int64)
    signup[pre] = -rng.integers(1, 4 * 365 + 1, size=int(pre.sum()))
    t = rng.random(int((~pre).sum()))
    a = 1.5   # density proportional to 1 + a·x on [0, 1]
    x = (-1 + np.sqrt(1 + a * (2 + a) * t)) / a
    signup[~pre] = np.minimum((x * cal.n_days).astype(np.int64), cal.n_days - 1)
    age = np.clip(np.round(rng.normal(36, 11, size=n)), 18, 75).astype(np.int64)
    birth_year = (cal.end_year - age).astype(float)
    birth_year[~individual] = np.nan
    birth_year[individual & (rng.random(n) < 0.03)] = np.nan
    young = individual & ~np.isnan(birth_year) & (cal.end_year - np.nan_to_num(birth_year) < YOUNG_AGE)
    p_ps = np.where(region == STORY_C_REGION, 0.42, 0.075) * individual
    ps = rng.random(n) < p_ps
    potential = rng.random(n) < 0.05
    rate = np.minimum(rng.lognormal(0.0, 1.0, size=n), 12.0) * np.where(ctype > 0, 1.5, 1.0)
    rate[potential] = 0.0
    gender = rng.integers(0, 2, size=n).astype(np.int8)
    city = np.zeros(n, dtype=np.int8)
    for r in range(4):
        m = region == r
        city[m] = rng.choice(len(CITY_WEIGHTS[r]), size=int(m.sum()), p=CITY_WEIGHTS[r])
    pref_channel = rng.choice(4, size=n, p=(0.45, 0.30, 0.20, 0.05)).astype(np.int8)
    acquisition = rng.choice(5, size=n, p=(0.30, 0.25, 0.20, 0.15, 0.10)).astype(np.int8)
    life = rng.geometric(0.03, size=n)      # active quarters before churn
    # name, phone and e-mail draws
    names = {
        "surname": rng.choice(len(_SURNAMES), size=n, p=_surname_weights()),
        "given1": rng.integers(0, 1 << 30, size=n),
        "given2": rng.integers(0, 1 << 30, size=n),
        "two_chars": rng.random(n) < 0.7,
        "en_first": rng.integers(0, 1 << 30, size=n),
        "en_last": rng.integers(0, len(_EN_LAST), size=n),
        "org_word": rng.integers(0, 10, size=n),
        "org_kind": rng.integers(0, 7, size=n),
        "gov_unit": rng.integers(0, 6, size=n),
        "gov_number": rng.integers(0, len(_ZH_NUMBERS), size=n),
    }
    phone = (10_000_000_000 + rng.integers(3, 10, size=n) * 1_000_000_000
             + rng.integers(0, 1_000_000_000, size=n))
    mail = {
        "has": rng.random(n) >= 0.15,
        "qq": rng.random(n) < 0.35,
        "qq_number": rng.integers(10_000, 3_000_000_000, size=n),
        "letters": rng.integers(97, 123, size=(n, 6), dtype=np.uint8),
        "digits": rng.integers(0, 1000, size=n),
        "domain": rng.integers(0, 5, size=n),
    }
    return {"n": n, "ids": _customer_ids(np.arange(1, n + 1)), "region": region, "ctype": ctype, "signup": signup, "birth_year": birth_year,
            "young": young, "ps": ps, "potential": potential, "rate": rate, "gender": gender,
            "city": city, "pref_channel": pref_channel, "acquisition": acquisition, "life": life,
            "names": names, "phone": phone, "mail": mail}


def _surname_weights() -> np.ndarray:
    w = 1.0 / (np.arange(len(_SURNAMES)) + 4.0)
    return w / w.sum()


def _customer_text(cust: dict, lab: dict, language: str) -> dict[str, np.ndarray]:
    """Names, cities, phones and e-mails of the customers (object arrays, None where absent)."""
    nm, ctype, region = cust["names"], cust["ctype"], cust["region"]
    flat_cities = [c for r in range(4) for c in lab["cities"][r]]
    offsets = np.cumsum([0] + [len(lab["cities"][r]) for r in range(3)])
    city = np.asarray(flat_cities, dtype=object)[offsets[region] + cust["city"]]
    male = cust["gender"] == 0
    if language == "zh":
        sur = np.asarray(_SURNAMES, dtype=object)[nm["surname"]]
        m_chars = np.asarray(_MALE_CHARS, dtype=object)
        f_chars = np.asarray(_FEMALE_CHARS, dtype=object)
        g1 = np.where(male, m_chars[nm["given1"] % len(m_chars)],
                      f_chars[nm["given1"] % len(f_chars)])
        g2 = np.where(male, m_chars[nm["given2"] % len(m_chars)],
                      f_chars[nm["given2"] % len(f_chars)])
        person = sur + np.where(nm["two_chars"], g1 + g2, g1)
    else:
        m_first = np.asarray(_EN_MALE, dtype=object)
        f_first = np.asarray(_EN_FEMALE, dtype=object)
        first = np.where(male, m_first[nm["en_first"] % len(m_first)],
                         f_first[nm["en_first"] % len(f_first)])
        person = first + " " + np.asarray(_EN_LAST, dtype=object)[nm["en_last"]]
    words = np.asarray(_ORG_WORDS[language], dtype=object)[nm["org_word"]]
    kinds = np.asarray(_ORG_KINDS[language], dtype=object)[nm["org_kind"]]
    numbers = _ZH_NUMBERS if language == "zh" else tuple(str(i + 1) for i in range(len(_ZH_NUMBERS)))
    unit_names = np.array([[u.replace("{n}", k) for k in numbers] for u in _GOV_UNITS[language]],
                          dtype=object)
    units = unit_names[nm["gov_unit"], nm["gov_number"]]
    if language == "zh":
        company = city + words + kinds + "有限公司"
        government = city + "市" + units
    else:
        company = words + " " + kinds + " Co., Ltd. (" + city + ")"
        government = city + " " + units
    name = np.where(ctype == 0, person, np.where(ctype == 1, company, government))

    mail = cust["mail"]
    digits = np.char.zfill(mail["digits"].astype(str), 3).astype(object)
    if language == "zh":
        letters = mail["letters"].view("S6").ravel().astype(str).astype(object)
        domain = np.asarray(_MAIL_ZH, dtype=object)[mail["domain"]]
        qq = mail["qq_number"].astype(str).astype(object) + "@qq.com"
        email = np.where(mail["qq"], qq, letters + digits + "@" + domain)
    else:
        handle = np.where(ctype == 0, person, words).astype(str)
        handle = np.char.replace(np.char.lower(handle), " ", ".").astype(object)
        domain = np.asarray(_MAIL_EN, dtype=object)[mail["domain"]]
        email = handle + digits + "@" + domain
    return {
        "name": name,
        "city": city,
        "phone": cust["phone"].astype(str).astype(object),
        "email": np.where(mail["has"], email, None),
    }


def _customers_table(cust: dict, text: dict, cal: _Calendar, lab: dict) -> pd.DataFrame:
    ctype = cust["ctype"]
    gender = np.where(ctype == 0, np.asarray(lab["genders"], dtype=object)[cust["gender"]], None)
    signup = cal.start + cust["signup"].astype("timedelta64[D]")
    return pd.DataFrame({
        "customer_id": cust["ids"].to_pandas(),
        "region": _take(lab["regions"], cust["region"]).to_pandas(),
        "signup_date": pd.to_datetime(signup.astype("datetime64[s]")),
        "name": pd.array(text["name"], dtype="str"),
        "phone": pd.array(text["phone"], dtype="str"),
        "email": pd.array(text["email"], dtype="str"),
        "gender": pd.array(gender, dtype="str"),
        "birth_year": pd.array(cust["birth_year"], dtype="Int64"),
        "city": pd.array(text["city"], dtype="str"),
        "acquisition_channel": _take(lab["acquisition"], cust["acquisition"]).to_pandas(),
        "customer_type": _take(lab["customer_types"], ctype).to_pandas(),
    })
