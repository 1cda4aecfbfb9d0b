"""Generated sequence-tagging tasks: a label at every time step."""

import numpy as np
from sklearn.utils import check_random_state

from ._seq2seq import _MONTHS

__all__ = ["make_contract_entities", "make_machine_faults"]

_STATES = np.array(["normal", "bearing", "overheat"])


def _stream(rng, n, noise):
    """Vibration, temperature and current of one machine, around its own levels."""
    t = np.arange(n)
    level = rng.normal(0.0, 2.0, size=3)
    gain = rng.uniform(0.5, 1.5, size=3)
    load = np.sin(2 * np.pi * t / rng.uniform(20, 60) + rng.uniform(0, 2 * np.pi))
    drift = 0.5 * np.cumsum(rng.standard_normal(n)) / np.sqrt(n)
    vibration = level[0] + gain[0] * (0.5 * load + noise * rng.standard_normal(n))
    temperature = level[1] + gain[1] * (0.3 * load + drift + noise * rng.standard_normal(n))
    current = level[2] + gain[2] * (load + noise * rng.standard_normal(n))
    return np.column_stack([vibration, temperature, current]), gain


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
def make_machine_faults(
    n_streams=200, *, min_length=80, max_length=240, fault_rate=0.6, noise=0.3,
    random_state=None,
):
    """Generate machine sensor streams with the state of the machine at every step.

    Each stream has three sensors (vibration, temperature, current) that follow the
    machine's load around levels and gains of its own, so the same reading is
    normal on one machine and a fault on another. With probability ``fault_rate``
    a stream holds one fault of 20 to 60 steps, which builds up over its first 10:
    ``"bearing"`` (the vibration grows noisy, its level unchanged) or
    ``"overheat"`` (the temperature climbs above the machine's level and the
    current dips). Every other step is ``"normal"``. A per-step classifier of the
    readings cannot tell the machines apart; a tagger that reads the whole
    stream can.

    Parameters
    ----------
    n_streams : int, default=200
        Number of streams (sequences).
    min_length, max_length : int, default=80, 240
        Range of the stream lengths (ragged).
    fault_rate : float, default=0.6
        Share of streams with a fault.
    noise : float, default=0.3
        Standard deviation of the sensor noise, relative to the load's swing.
    random_state : int, RandomState instance or None, default=None
        Seeds everything.

    Returns
    -------
    X : list of ndarray of shape (n_steps_i, 3)
        The readings, float32.
    y : list of ndarray of shape (n_steps_i,)
        The state at every step: ``"normal"``, ``"bearing"`` or ``"overheat"``.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_machine_faults
    >>> X, y = make_machine_faults(n_streams=5, random_state=0)
    >>> len(X), X[0].shape[1], len(y[0]) == len(X[0])
    (5, 3, True)
    >>> set(y[0]) | set(y[1]) | set(y[2]) <= {"bearing", "normal", "overheat"}
    True
    """
    rng = check_random_state(random_state)
    X, y = [], []
    for _ in range(n_streams):
        n = int(rng.randint(min_length, max_length + 1))
        steps, gain = _stream(rng, n, noise)
        state = np.zeros(n, dtype=np.int64)
        if rng.uniform() < fault_rate:
            kind = int(rng.randint(1, 3))
            start = int(rng.randint(n // 4, 3 * n // 4))
            end = min(n, start + int(rng.randint(20, 61)))
            ramp = np.clip(np.arange(end - start) / 10.0, 0.0, 1.0)
            if kind == 1:
                steps[start:end, 0] += gain[0] * ramp * 1.5 * rng.standard_normal(end - start)
            else:
                steps[start:end, 1] += gain[1] * ramp * 1.5
                steps[start:end, 2] -= gain[2] * ramp * 0.8
            state[start:end] = kind
        X.append(steps.astype(np.float32))
        y.append(_STATES[state])
    return X, y


# Clause templates per language: words, with {PARTY}, {DATE} and {AMOUNT} slots.
_CLAUSES = {
    "en": [
        "This Agreement is made on {DATE} between {PARTY} and {PARTY} .",
        "{PARTY} shall pay {AMOUNT} to {PARTY} for "
        "the {PROJECT} project no later than {DATE} .",
        "The fee of {AMOUNT} is due on {DATE} and is payable by {PARTY} .",
        "From {DATE} , {PARTY} will provide the {PROJECT} "
        "services to {PARTY} for {AMOUNT} a month .",
    ],
    "fr": [
        "Le présent contrat est conclu le {DATE} entre {PARTY} et {PARTY} .",
        "{PARTY} versera {AMOUNT} à {PARTY} pour le projet {PROJECT} au plus tard le {DATE} .",
        "Les honoraires de {AMOUNT} sont dus le {DATE} et payables par {PARTY} .",
        "À compter du {DATE} , {PARTY} fournira les "
        "services {PROJECT} à {PARTY} pour {AMOUNT} par mois .",
    ],
    "de": [
        "Dieser Vertrag wird am {DATE} zwischen {PARTY} und {PARTY} geschlossen .",
        "{PARTY} zahlt {AMOUNT} an {PARTY} für das Projekt {PROJECT} bis spätestens {DATE} .",
        "Die Gebühr von {AMOUNT} ist am {DATE} fällig und von {PARTY} zu zahlen .",
        "Ab dem {DATE} erbringt {PARTY} die Leistungen "
        "{PROJECT} für {PARTY} zu {AMOUNT} im Monat .",
    ],
    "es": [
        "El presente contrato se celebra el {DATE} entre {PARTY} y {PARTY} .",
        "{PARTY} pagará {AMOUNT} a {PARTY} por el proyecto {PROJECT} a más tardar el {DATE} .",
        "La tarifa de {AMOUNT} vence el {DATE} y la paga {PARTY} .",
        "Desde el {DATE} , {PARTY} prestará los servicios "
        "{PROJECT} a {PARTY} por {AMOUNT} al mes .",
    ],
}
_SYLLABLES = ["ka", "ro", "mi", "ten", "vel", "dor", "sa", "lin", "mar", "ber", "to", "gra",
              "no", "vis", "el", "an", "qui", "lo", "ster", "fa"]
_PHRASES = {  # ordinary words that also open company names
    "en": ["Bank of the North", "North Trading", "Trading and Services"],
    "fr": ["Banque de la Mer", "Services du Nord", "Compagnie des Eaux"],
    "de": ["Bank der Küste", "Handel und Dienste", "Nord"],
    "es": ["Banco de la Costa", "Servicios del Norte", "Compañía de Aguas"],
}
_FORMS = {"en": ["Ltd", "Inc.", "LLC"], "fr": ["SA", "SARL", "SAS"],
          "de": ["GmbH", "AG", "KG"], "es": ["S.L.", "S.A."]}


def _name(rng):
    return "".join(rng.choice(_SYLLABLES, size=rng.randint(2, 4))).capitalize()


def _party(rng, lang):
    words = [_name(rng)]
    if rng.uniform() < 0.5:  # "Banque de la Mer Durand SA", "Bank of the North Karo Ltd"
        words = str(rng.choice(_PHRASES[lang])).split() + words
    words += [_name(rng) for _ in range(rng.randint(0, 3))]
    return words + [str(rng.choice(_FORMS[lang]))]


def _date(rng, lang):
    day, month, year = rng.randint(1, 29), rng.randint(12), rng.randint(1990, 2031)
    name = _MONTHS[lang][month]
    if lang == "en":
        return [name, f"{day},", str(year)] if rng.uniform() < 0.5 else [str(day), name, str(year)]
    if lang == "de":
        return [f"{day}.", name, str(year)]
    if lang == "es":
        return [str(day), "de", name, "de", str(year)]
    return [str(day), name, str(year)]


def _amount(rng, lang):
    units, cents = rng.randint(100, 100000), rng.randint(100)
    if lang == "en":
        return [f"${units:,}.{cents:02d}"] if rng.uniform() < 0.5 else ["EUR", f"{units:,}"]
    grouped = f"{units:,}".replace(",", "." if lang in ("de", "es") else "\u202f")
    return [f"{grouped},{cents:02d}", "€" if rng.uniform() < 0.5 else "EUR"]


_MAKERS = {"PARTY": _party, "DATE": _date, "AMOUNT": _amount}


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
def make_contract_entities(n_clauses=1000, *, languages=("en", "fr", "de", "es"),
                           label_noise=0.02, case_noise=0.3, random_state=None):
    """Generate contract clauses in several languages with entity tags per token.

    Clauses follow templates of each language and name parties (company names
    made of invented words, ordinary words and legal forms: ``"Banque de la
    Mer Durand SA"``), dates (``"3 March 2021"``, ``"3. März 2021"``, ``"3 de
    marzo de 2021"``) and amounts (``"$12,500.00"``, ``"12.500,00 €"``) in the
    formats of the language. Tags are BIO: ``B-PARTY``, ``I-PARTY``, ``B-DATE``,
    ``I-DATE``, ``B-AMOUNT``, ``I-AMOUNT`` and ``O``. Names are drawn anew for
    every clause (one to three invented words), so held-out clauses hold names
    never seen in training; project names, made the same way, are not entities.
    A share ``case_noise`` of the clauses is all lower or all upper case
    (scanned and headed clauses), where only the context tells a name from an
    ordinary word, and a share ``label_noise`` of the tokens gets a random tag,
    as annotation errors do.

    Parameters
    ----------
    n_clauses : int, default=1000
        Number of clauses (documents).
    languages : sequence of {"en", "fr", "de", "es"}, default=all four
        Languages, drawn uniformly per clause.
    label_noise : float, default=0.02
        Share of tokens whose tag is replaced by a random one.
    case_noise : float, default=0.3
        Share of clauses written all in lower or all in upper case.
    random_state : int, RandomState instance or None, default=None
        Seeds everything.

    Returns
    -------
    tokens : list of list of str
        The tokens of each clause (its text is ``" ".join(tokens)``).
    tags : list of list of str
        The BIO tag of every token.
    languages : ndarray of str
        The language of each clause.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_contract_entities
    >>> tokens, tags, langs = make_contract_entities(n_clauses=3, label_noise=0,
    ...                                              random_state=0)
    >>> len(tokens[0]) == len(tags[0]), set(langs) <= {"de", "en", "es", "fr"}
    (True, True)
    """
    rng = check_random_state(random_state)
    labels = ["O"] + [f"{p}-{k}" for k in _MAKERS for p in "BI"]
    all_tokens, all_tags, langs = [], [], []
    for _ in range(n_clauses):
        lang = str(rng.choice(list(languages)))
        tokens, tags = [], []
        for word in str(rng.choice(_CLAUSES[lang])).split():
            slot = word.strip("{}")
            if word == "{PROJECT}":  # names that are not parties: tagged O
                project = [_name(rng) for _ in range(rng.randint(1, 4))]
                tokens += project
                tags += ["O"] * len(project)
            elif word.startswith("{") and slot in _MAKERS:
                entity = _MAKERS[slot](rng, lang)
                tokens += entity
                tags += [f"B-{slot}"] + [f"I-{slot}"] * (len(entity) - 1)
            else:
                tokens.append(word)
                tags.append("O")
        if rng.uniform() < case_noise:
            case = str.lower if rng.uniform() < 0.5 else str.upper
            tokens = [case(t) for t in tokens]
        noisy = rng.uniform(size=len(tags)) < label_noise
        tags = [str(rng.choice(labels)) if n else t for t, n in zip(tags, noisy)]
        all_tokens.append(tokens)
        all_tags.append(tags)
        langs.append(lang)
    return all_tokens, all_tags, np.array(langs)
