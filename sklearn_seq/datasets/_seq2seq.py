"""Generated sequence-to-sequence tasks: an output text for each input text."""

import datetime

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_date_normalization"]

_MONTHS = {  # also the contract dates of make_contract_entities
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}
_WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag",
           "Sonntag"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
}


def _ordinal(day):
    if day in (11, 12, 13):
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


# Each language's formats, as functions of (date, month name, weekday name). The
# numeric formats differ in their separators, so no string means two dates: day
# first with "/" (fr), "-" (es) and "." (de), year first with "/" (every language).
_FORMATS = {
    "en": [
        lambda d, m, w: f"{m} {d.day}, {d.year}",
        lambda d, m, w: f"{m} {_ordinal(d.day)}, {d.year}",
        lambda d, m, w: f"{d.day} {m} {d.year}",
        lambda d, m, w: f"{m[:3]} {d.day}, {d.year}",
        lambda d, m, w: f"the {_ordinal(d.day)} of {m} {d.year}",
        lambda d, m, w: f"{w}, {m} {d.day}, {d.year}",
    ],
    "fr": [
        lambda d, m, w: f"{'1er' if d.day == 1 else d.day} {m} {d.year}",
        lambda d, m, w: f"{w} {d.day} {m} {d.year}",
        lambda d, m, w: f"le {d.day} {m} {d.year}",
        lambda d, m, w: f"{d.day:02d}/{d.month:02d}/{d.year}",
    ],
    "de": [
        lambda d, m, w: f"{d.day}. {m} {d.year}",
        lambda d, m, w: f"{w}, {d.day}. {m} {d.year}",
        lambda d, m, w: f"{d.day:02d}.{d.month:02d}.{d.year}",
        lambda d, m, w: f"{d.day}.{d.month}.{d.year}",
    ],
    "es": [
        lambda d, m, w: f"{d.day} de {m} de {d.year}",
        lambda d, m, w: f"{w}, {d.day} de {m} de {d.year}",
        lambda d, m, w: f"{d.day} {m[:3]} {d.year}",
        lambda d, m, w: f"{d.day}-{d.month}-{d.year}",
    ],
}


def make_date_normalization(n_samples=1000, *, languages=("en", "fr", "de", "es"),
                            random_state=None):
    """Generate dates written in several languages and formats, with their ISO form.

    Each sample is a date between 1950 and 2049 written as people write it in
    English, French, German or Spanish: with the month's name (``"3 mars 2021"``,
    ``"March 3rd, 2021"``, ``"3. März 2021"``, ``"3 de marzo de 2021"``), its
    abbreviation, the weekday (``"mercredi 3 mars 2021"``), or in figures
    (``"03.03.2021"``, ``"03/03/2021"``, ``"3-3-2021"``, and in every language
    ``"2021/3/3"``); the target is ``"2021-03-03"``. Every string has one
    reading. A third of the strings are all in lower case, one in twenty all in
    capitals, as typed input is.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of dates.
    languages : tuple of str, default=("en", "fr", "de", "es")
        The languages to draw from, equally often.
    random_state : int, RandomState instance or None, default=None
        Seeds everything.

    Returns
    -------
    X : list of str
        The dates as written.
    y : list of str
        The same dates as ``YYYY-MM-DD``.
    language : ndarray of shape (n_samples,)
        The language of each written date.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_date_normalization
    >>> X, y, language = make_date_normalization(3, random_state=1)
    >>> X
    ['vendredi 20 mars 1964', '13 de septiembre de 2008', 'Tuesday, March 23, 1971']
    >>> y
    ['1964-03-20', '2008-09-13', '1971-03-23']
    >>> language.tolist()
    ['fr', 'es', 'en']
    """
    unknown = sorted(set(languages) - set(_FORMATS))
    if unknown or not languages:
        raise ValueError(
            f"languages must be among {sorted(_FORMATS)}; got {list(languages)!r}."
        )
    rng = check_random_state(random_state)
    start = datetime.date(1950, 1, 1).toordinal()
    span = datetime.date(2049, 12, 31).toordinal() - start + 1
    languages = np.asarray(languages)
    chosen = languages[rng.randint(len(languages), size=n_samples)]
    X, y = [], []
    for lang in chosen:
        date = datetime.date.fromordinal(start + rng.randint(span))
        formats = _FORMATS[lang]
        pick = rng.randint(len(formats) + 1)
        if pick == len(formats):
            text = f"{date.year}/{date.month}/{date.day}"
        else:
            text = formats[pick](date, _MONTHS[lang][date.month - 1],
                                 _WEEKDAYS[lang][date.weekday()])
        case = rng.uniform()
        text = text.lower() if case < 1 / 3 else text.upper() if case < 0.38 else text
        X.append(text)
        y.append(date.isoformat())
    return X, y, chosen
