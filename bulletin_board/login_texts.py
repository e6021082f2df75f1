"""The words of the login-code e-mail (bulletin_board/voter_login.py), in the booth's ten languages.

Plain text; placeholders ``{title}`` (the election's title, the manifest's ``label``), ``{code}`` (the eight
digits, shown in two groups of four), ``{minutes}`` and ``{expires}`` (the expiry time, UTC). English and
French first; the others translated from them. A language the roll names but this table lacks gets English.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Your login code: {title}",
        "body": "Hello,\n\nyour code to sign in to vote in \"{title}\" is:\n\n    {code}\n\n"
        "It is valid once, for {minutes} minutes (until {expires} UTC). Type it in the voting booth.\n\n"
        "If you did not ask for this code, ignore this message: nothing happens without it, and nobody will ever "
        "ask you to tell it to them.\n",
    },
    "fr": {
        "subject": "Votre code de connexion : {title}",
        "body": "Bonjour,\n\nvoici votre code pour vous connecter afin de voter à « {title} » :\n\n    {code}\n\n"
        "Il est valable une fois, pendant {minutes} minutes (jusqu'à {expires} UTC). Saisissez-le dans l'isoloir "
        "électronique.\n\n"
        "Si vous n'avez pas demandé ce code, ignorez ce message : rien ne se passe sans lui, et personne ne vous "
        "demandera jamais de le communiquer.\n",
    },
    "de": {
        "subject": "Ihr Anmeldecode: {title}",
        "body": "Guten Tag,\n\nIhr Code für die Anmeldung zur Stimmabgabe bei „{title}“ lautet:\n\n    {code}\n\n"
        "Er gilt einmal und {minutes} Minuten lang (bis {expires} UTC). Geben Sie ihn in der Wahlkabine ein.\n\n"
        "Wenn Sie diesen Code nicht angefordert haben, ignorieren Sie diese Nachricht: Ohne ihn geschieht nichts, "
        "und niemand wird Sie je bitten, ihn weiterzugeben.\n",
    },
    "es": {
        "subject": "Su código de acceso: {title}",
        "body": "Hola:\n\nsu código para identificarse y votar en «{title}» es:\n\n    {code}\n\n"
        "Sirve una sola vez, durante {minutes} minutos (hasta las {expires} UTC). Escríbalo en la cabina de votación.\n\n"
        "Si no ha pedido este código, ignore este mensaje: sin él no ocurre nada, y nadie le pedirá nunca que se lo dé.\n",
    },
    "it": {
        "subject": "Il tuo codice di accesso: {title}",
        "body": "Buongiorno,\n\nil tuo codice per accedere e votare in «{title}» è:\n\n    {code}\n\n"
        "Vale una sola volta, per {minutes} minuti (fino alle {expires} UTC). Inseriscilo nella cabina elettorale.\n\n"
        "Se non hai chiesto questo codice, ignora questo messaggio: senza di esso non succede nulla, e nessuno ti "
        "chiederà mai di comunicarlo.\n",
    },
    "pt": {
        "subject": "O seu código de acesso: {title}",
        "body": "Olá,\n\no seu código para entrar e votar em «{title}» é:\n\n    {code}\n\n"
        "É válido uma vez, durante {minutes} minutos (até às {expires} UTC). Escreva-o na cabine de voto.\n\n"
        "Se não pediu este código, ignore esta mensagem: nada acontece sem ele, e ninguém lhe pedirá que o revele.\n",
    },
    "nl": {
        "subject": "Uw inlogcode: {title}",
        "body": "Hallo,\n\nuw code om in te loggen en te stemmen bij \"{title}\" is:\n\n    {code}\n\n"
        "Hij is één keer geldig, {minutes} minuten lang (tot {expires} UTC). Typ hem in het stemhokje.\n\n"
        "Hebt u deze code niet aangevraagd, negeer dit bericht dan: zonder de code gebeurt er niets, en niemand zal "
        "u ooit vragen hem door te geven.\n",
    },
    "pl": {
        "subject": "Twój kod logowania: {title}",
        "body": "Dzień dobry,\n\nTwój kod do zalogowania się i głosowania w „{title}” to:\n\n    {code}\n\n"
        "Jest ważny jednorazowo, przez {minutes} minut (do {expires} UTC). Wpisz go w kabinie do głosowania.\n\n"
        "Jeśli nie prosiłeś o ten kod, zignoruj tę wiadomość: bez niego nic się nie stanie i nikt nigdy nie poprosi "
        "Cię o jego podanie.\n",
    },
    "uk": {
        "subject": "Ваш код для входу: {title}",
        "body": "Вітаємо!\n\nВаш код для входу й голосування у «{title}»:\n\n    {code}\n\n"
        "Він дійсний один раз, протягом {minutes} хвилин (до {expires} UTC). Введіть його в кабіні для голосування.\n\n"
        "Якщо ви не запитували цей код, проігноруйте цей лист: без нього нічого не станеться, і ніхто ніколи не "
        "проситиме вас його повідомити.\n",
    },
    "ar": {
        "subject": "رمز الدخول الخاص بك: {title}",
        "body": "مرحبًا،\n\nرمزك للدخول والتصويت في «{title}» هو:\n\n    {code}\n\n"
        "يصلح مرة واحدة، لمدة {minutes} دقائق (حتى {expires} بالتوقيت العالمي). اكتبه في مقصورة التصويت.\n\n"
        "إن لم تطلب هذا الرمز فتجاهل هذه الرسالة: لا يحدث شيء من دونه، ولن يطلب منك أحد أبدًا أن تخبره به.\n",
    },
}


def login_mail(language: str | None, *, title: str, code: str, minutes: int, expires: str) -> tuple[str, str, str]:
    """(language used, subject, body) for ``language`` (its primary subtag), English when unknown."""
    primary = (language or DEFAULT_LANGUAGE).split("-")[0].lower()
    chosen = primary if primary in TEXTS else DEFAULT_LANGUAGE
    words = TEXTS[chosen]
    shown = f"{code[:4]} {code[4:]}"
    return (chosen, words["subject"].format(title=title),
            words["body"].format(title=title, code=shown, minutes=minutes, expires=expires))  # fmt: skip
