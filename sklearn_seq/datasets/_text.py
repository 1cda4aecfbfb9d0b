"""Generated text corpora: multilingual support tickets and an order-dependent task.

Both generators are seeded and need no download. Chinese tickets come segmented
into words with spaces (as a segmenter such as jieba would give them), so one
word analyzer reads every language; the character analyzer reads them too.
"""

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

__all__ = ["make_support_tickets", "make_negation_sentiment"]

_PRODUCTS = ["Nova X2", "AirBeat", "ZenTab", "LinkBox", "PixCam", "Orbit Pro"]

# Several paraphrases per intent and language; {p} a product, {o} an order number,
# {d} a number of days.
_TEMPLATES = {
    "en": {
        "billing": [
            "I was charged twice for my {p} subscription",
            "why is there an extra fee on my invoice",
            "the amount on invoice {o} is wrong",
            "my credit card was billed but I never ordered the {p}",
        ],
        "login": [
            "I cannot log in to my account",
            "the password reset link does not work",
            "my account is locked after too many attempts",
            "I forgot my password and the verification code never arrives",
        ],
        "shipping": [
            "my order {o} has not arrived yet",
            "where is my package, it should have come {d} days ago",
            "the tracking number for order {o} shows no updates",
            "the courier delivered my {p} to the wrong address",
        ],
        "refund": [
            "I want to return the {p} and get my money back",
            "please cancel order {o} and refund me",
            "how long does a refund take, I sent the {p} back {d} days ago",
            "the {p} arrived broken, I would like a refund",
        ],
        "technical": [
            "the {p} app crashes every time I open it",
            "I get an error message when I try to upload a file",
            "the {p} does not connect to wifi anymore",
            "after the last update the screen stays black",
        ],
    },
    "es": {
        "billing": [
            "me han cobrado dos veces la suscripción de {p}",
            "hay un cargo extra en mi factura que no reconozco",
            "el importe de la factura {o} es incorrecto",
            "me cobraron en la tarjeta pero nunca pedí el {p}",
        ],
        "login": [
            "no puedo iniciar sesión en mi cuenta",
            "el enlace para restablecer la contraseña no funciona",
            "mi cuenta está bloqueada después de varios intentos",
            "olvidé mi contraseña y no me llega el código de verificación",
        ],
        "shipping": [
            "mi pedido {o} todavía no ha llegado",
            "dónde está mi paquete, debía llegar hace {d} días",
            "el número de seguimiento del pedido {o} no se actualiza",
            "el repartidor entregó mi {p} en otra dirección",
        ],
        "refund": [
            "quiero devolver el {p} y recuperar mi dinero",
            "por favor cancelen el pedido {o} y devuélvanme el dinero",
            "cuánto tarda el reembolso, devolví el {p} hace {d} días",
            "el {p} llegó roto, quiero un reembolso",
        ],
        "technical": [
            "la aplicación de {p} se cierra cada vez que la abro",
            "me sale un mensaje de error al subir un archivo",
            "el {p} ya no se conecta al wifi",
            "después de la última actualización la pantalla se queda negra",
        ],
    },
    "de": {
        "billing": [
            "mir wurde das {p} Abo doppelt berechnet",
            "auf meiner Rechnung steht eine zusätzliche Gebühr",
            "der Betrag auf der Rechnung {o} ist falsch",
            "meine Kreditkarte wurde belastet, aber ich habe kein {p} bestellt",
        ],
        "login": [
            "ich kann mich nicht in mein Konto einloggen",
            "der Link zum Zurücksetzen des Passworts funktioniert nicht",
            "mein Konto ist nach mehreren Versuchen gesperrt",
            "ich habe mein Passwort vergessen und der Code kommt nicht an",
        ],
        "shipping": [
            "meine Bestellung {o} ist noch nicht angekommen",
            "wo ist mein Paket, es sollte vor {d} Tagen kommen",
            "die Sendungsverfolgung für Bestellung {o} zeigt nichts Neues",
            "der Bote hat mein {p} an die falsche Adresse geliefert",
        ],
        "refund": [
            "ich möchte das {p} zurückgeben und mein Geld zurück",
            "bitte stornieren Sie die Bestellung {o} und erstatten Sie den Betrag",
            "wie lange dauert die Erstattung, ich habe das {p} vor {d} Tagen zurückgeschickt",
            "das {p} kam kaputt an, ich möchte eine Rückerstattung",
        ],
        "technical": [
            "die {p} App stürzt bei jedem Start ab",
            "beim Hochladen einer Datei bekomme ich eine Fehlermeldung",
            "das {p} verbindet sich nicht mehr mit dem WLAN",
            "nach dem letzten Update bleibt der Bildschirm schwarz",
        ],
    },
    "ru": {
        "billing": [
            "с меня дважды списали деньги за подписку {p}",
            "в моём счёте есть лишняя плата",
            "сумма в счёте {o} неверная",
            "с карты списали деньги, но я не заказывал {p}",
        ],
        "login": [
            "не могу войти в свой аккаунт",
            "ссылка для сброса пароля не работает",
            "мой аккаунт заблокирован после нескольких попыток",
            "я забыл пароль и код подтверждения не приходит",
        ],
        "shipping": [
            "мой заказ {o} ещё не пришёл",
            "где моя посылка, она должна была прийти {d} дней назад",
            "номер отслеживания заказа {o} не обновляется",
            "курьер доставил мой {p} не по адресу",
        ],
        "refund": [
            "хочу вернуть {p} и получить деньги обратно",
            "пожалуйста, отмените заказ {o} и верните деньги",
            "сколько ждать возврата, я отправил {p} {d} дней назад",
            "{p} пришёл сломанным, прошу вернуть деньги",
        ],
        "technical": [
            "приложение {p} вылетает при каждом запуске",
            "при загрузке файла появляется сообщение об ошибке",
            "{p} больше не подключается к wifi",
            "после последнего обновления экран остаётся чёрным",
        ],
    },
    "zh": {
        "billing": [
            "我 的 {p} 订阅 被 重复 扣费 了",
            "我 的 账单 上 有 一笔 额外 费用",
            "账单 {o} 的 金额 不对",
            "信用卡 被 扣款 了 但 我 没有 订购 {p}",
        ],
        "login": [
            "我 无法 登录 我 的 账户",
            "重置 密码 的 链接 打不开",
            "多次 尝试 后 我 的 账户 被 锁定 了",
            "我 忘记 了 密码 而且 收不到 验证码",
        ],
        "shipping": [
            "我 的 订单 {o} 还 没有 到",
            "我 的 包裹 在 哪里 ， 应该 {d} 天 前 就 到 了",
            "订单 {o} 的 物流 信息 没有 更新",
            "快递员 把 我 的 {p} 送到 了 错误 的 地址",
        ],
        "refund": [
            "我 想 退回 {p} 并 拿回 我 的 钱",
            "请 取消 订单 {o} 并 给 我 退款",
            "退款 需要 多久 ， 我 {d} 天 前 寄回 了 {p}",
            "{p} 到货 时 已经 坏 了 ， 我 要 退款",
        ],
        "technical": [
            "{p} 应用 每次 打开 都 会 崩溃",
            "上传 文件 时 出现 错误 信息",
            "{p} 无法 再 连接 wifi",
            "最近 一次 更新 后 屏幕 一直 是 黑 的",
        ],
    },
}

_OPENINGS = {
    "en": ["hi,", "hello,", "hi team,", "good morning,"],
    "es": ["hola,", "buenos días,", "buenas tardes,"],
    "de": ["hallo,", "guten Tag,", "liebes Team,"],
    "ru": ["здравствуйте,", "добрый день,", "привет,"],
    "zh": ["你好 ，", "您好 ，", "客服 你好 ，"],
}

_CLOSINGS = {
    "en": ["thanks", "thank you", "please help", "any update?"],
    "es": ["gracias", "por favor ayúdenme", "un saludo"],
    "de": ["danke", "bitte helfen Sie mir", "viele Grüße"],
    "ru": ["спасибо", "помогите, пожалуйста", "жду ответа"],
    "zh": ["谢谢", "请 帮帮 我", "等 你们 回复"],
}

# "Not about <another intent's topic>": the words of two intents in one ticket, where
# only the order tells which one the customer means.
_TOPICS = {
    "en": ["my invoice", "my password", "the delivery", "a refund", "an app error"],
    "es": ["mi factura", "mi contraseña", "la entrega", "un reembolso", "un error de la app"],
    "de": ["meine Rechnung", "mein Passwort", "die Lieferung", "eine Erstattung",
           "einen App Fehler"],
    "ru": ["мой счёт", "мой пароль", "доставку", "возврат денег", "ошибку приложения"],
    "zh": ["账单", "密码", "物流", "退款", "应用 错误"],
}
_NOT_ABOUT = {
    "en": "this is not about {t},",
    "es": "no se trata de {t},",
    "de": "es geht nicht um {t},",
    "ru": "вопрос не про {t},",
    "zh": "不是 {t} 的 问题 ，",
}

INTENTS = ("billing", "login", "shipping", "refund", "technical")
LANGUAGES = tuple(_TEMPLATES)


def _ticket(rng, language, intent):
    template = _TEMPLATES[language][intent][rng.randint(4)]
    words = template.format(
        p=_PRODUCTS[rng.randint(len(_PRODUCTS))],
        o=f"#{rng.randint(10000, 99999)}",
        d=rng.randint(2, 15),
    ).split(" ")
    if len(words) > 4 and rng.rand() < 0.2:
        # A dropped word: customers write tersely.
        del words[rng.randint(len(words))]
    text = " ".join(words)
    if rng.rand() < 0.3:
        other = [k for k, name in enumerate(INTENTS) if name != intent][rng.randint(4)]
        text = f"{_NOT_ABOUT[language].format(t=_TOPICS[language][other])} {text}"
    if rng.rand() < 0.5:
        text = f"{_OPENINGS[language][rng.randint(len(_OPENINGS[language]))]} {text}"
    if rng.rand() < 0.5:
        text = f"{text} {_CLOSINGS[language][rng.randint(len(_CLOSINGS[language]))]}"
    if rng.rand() < 0.1:
        text = text.upper() if rng.rand() < 0.5 else text.capitalize()
    return text


# Over 60 lines for its numpydoc docstring (with a doctest), not for its code.
def make_support_tickets(
    n_samples=1000,
    *,
    languages=None,
    label_noise=0.05,
    return_X_y=False,
    random_state=None,
):
    """Generate multilingual customer-support tickets labelled by intent.

    Five intents (``billing``, ``login``, ``shipping``, ``refund``,
    ``technical``) in five languages (English, Spanish, German, Russian in
    Cyrillic, Chinese segmented into words), each written in several
    paraphrases with products, order numbers, greetings and closings drawn at
    random, some words dropped and some tickets in capitals. About 30% of the
    tickets first say what they are *not* about, naming another intent's topic
    ("this is not about a refund, my order has not arrived"): there the order of
    the words, not their bag, tells the intent.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of tickets.
    languages : list of str, default=None
        Languages to draw from, among ``"en"``, ``"es"``, ``"de"``, ``"ru"``,
        ``"zh"``; None uses all, in equal shares.
    label_noise : float, default=0.05
        Share of tickets whose label is replaced by another intent at random
        (mislabelled tickets, as in real queues).
    return_X_y : bool, default=False
        Return ``(texts, intents)`` as numpy arrays instead of a DataFrame.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``text``, ``intent`` (the label, noise included) and
        ``language``. Returned when ``return_X_y`` is False.
    (texts, intents) : tuple of ndarray of shape (n_samples,)
        Returned when ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_support_tickets
    >>> df = make_support_tickets(200, random_state=0)
    >>> df.shape
    (200, 3)
    >>> sorted(df["language"].unique())
    ['de', 'en', 'es', 'ru', 'zh']
    """
    if not 0 <= label_noise <= 1:
        raise ValueError(f"label_noise must be in [0, 1], got {label_noise}.")
    languages = list(LANGUAGES if languages is None else languages)
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown or not languages:
        raise ValueError(f"languages must be among {list(LANGUAGES)}, got {languages}.")
    rng = check_random_state(random_state)
    lang = [languages[i] for i in rng.randint(len(languages), size=n_samples)]
    intent = [INTENTS[i] for i in rng.randint(len(INTENTS), size=n_samples)]
    texts = [_ticket(rng, la, it) for la, it in zip(lang, intent)]
    labels = np.array(intent, dtype=object)
    flip = np.flatnonzero(rng.rand(n_samples) < label_noise)
    for i in flip:
        others = [k for k in INTENTS if k != labels[i]]
        labels[i] = others[rng.randint(len(others))]
    if return_X_y:
        return np.array(texts, dtype=object), labels
    return pd.DataFrame({"text": texts, "intent": labels, "language": lang})


_SUBJECTS = ["the food", "the service", "the movie", "the hotel", "the staff", "the room",
             "the music", "the trip", "the show", "the book"]
_VERBS = ["was", "seemed", "felt", "looked"]
_POSITIVE = ["good", "great", "nice", "excellent", "friendly", "fun", "lovely"]
_NEGATIVE = ["bad", "awful", "boring", "rude", "poor", "terrible", "dull"]
_CONNECTORS = ["but", "yet", "but in the end", "though overall"]


def make_negation_sentiment(n_samples=1000, *, return_X_y=False, random_state=None):
    """Generate reviews whose sentiment only word order reveals.

    Every review holds one positive and one negative adjective, e.g. ``"the
    food was not bad but great"``. The label is the polarity of the *last*
    adjective, flipped when ``not`` stands right before it. Each review's
    words, as a bag, fit either label equally often, so a bag-of-words model
    (``TfidfVectorizer`` + ``LogisticRegression``) stays at chance while a model
    that reads the order can be exact.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of reviews.
    return_X_y : bool, default=False
        Return ``(texts, labels)`` as numpy arrays instead of a DataFrame.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``text`` and ``sentiment`` (``"positive"`` or ``"negative"``).
        Returned when ``return_X_y`` is False.
    (texts, labels) : tuple of ndarray of shape (n_samples,)
        Returned when ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_seq.datasets import make_negation_sentiment
    >>> X, y = make_negation_sentiment(4, return_X_y=True, random_state=0)
    >>> len(X), sorted(set(y)) <= ["negative", "positive"]
    (4, True)
    """
    rng = check_random_state(random_state)
    texts, labels = [], []
    for _ in range(n_samples):
        pos = _POSITIVE[rng.randint(len(_POSITIVE))]
        neg = _NEGATIVE[rng.randint(len(_NEGATIVE))]
        first, last = (pos, neg) if rng.rand() < 0.5 else (neg, pos)
        negated = rng.randint(3)  # 0: none, 1: the first adjective, 2: the last
        words = [_SUBJECTS[rng.randint(len(_SUBJECTS))], _VERBS[rng.randint(len(_VERBS))]]
        words += ["not", first] if negated == 1 else [first]
        words.append(_CONNECTORS[rng.randint(len(_CONNECTORS))])
        words += ["not", last] if negated == 2 else [last]
        positive = (last == pos) != (negated == 2)
        texts.append(" ".join(words))
        labels.append("positive" if positive else "negative")
    texts, labels = np.array(texts, dtype=object), np.array(labels, dtype=object)
    if return_X_y:
        return texts, labels
    return pd.DataFrame({"text": texts, "sentiment": labels})
