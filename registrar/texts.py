"""The words of the voting cards and e-mails, in the booth's ten languages (one table, kept together).

Each language uses the booth's own words for its buttons and pages (voting/booth/translations): fr
"identifiant de vote", "Déposer", "Contester", "Rechercher un bulletin"; de "Zugangscode", "Abgeben", "Zur
Kontrolle öffnen"; and so on, so a voter reads on the card what the booth shows. English and French were
written first and carefully; the other eight were translated from them, keeping the booth's vocabulary.

Every language has every key (tests/registrar/test_texts.py). A text never holds a credential; ``{title}``
is the only placeholder (the election's title, in the e-mail's subject).
"""

from __future__ import annotations

from voting.manifest import Manifest
from voting.manifest_text import Text
from voting.voter_roll_delivery import LANGUAGES as LANGUAGES  # re-exported: the languages the texts below are in

RIGHT_TO_LEFT = frozenset({"ar"})
STEPS = ("step_vote", "step_challenge", "step_receipt", "step_nothing")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "card_title": "Voting card",
        "organizer": "Organized by",
        "election": "Election",
        "voter_id": "Voter number",
        "ballot": "Your ballot",
        "credential": "Your voting credential",
        "credential_note": "Keep it secret. Type it as printed: dashes and spaces do not matter, and the letters I, L, O and U are never used.",
        "vote_at": "Vote at",
        "scan": "or scan this code",
        "closes": "Voting closes",
        "anchors": "Trust anchors' fingerprint (the booth shows the same)",
        "how": "How to vote",
        "step_vote": "Open the booth at the address above, type the voting credential printed on this card, make your choices and cast your ballot.",
        "step_challenge": "Before casting, you may challenge the ballot instead: the booth then shows how it was encrypted, so that you can check it, and you start again. A challenged ballot is never counted.",
        "step_receipt": "After casting, write down the confirmation code the booth shows. On the booth's page \"Look up a ballot\", check that your ballot is on the public ballot box under this code.",
        "step_nothing": "If you did not vote, you can check that nothing was cast in your name: type your credential on the booth's look-up page.",
        "private": "Nobody will ever ask you for this credential, by e-mail, telephone or in person. If you lose this card, ask the organizer for a new one.",
        "subject": "Your voting card: {title}",
        "greeting": "Hello,",
        "intro": "Your voting card for this election is attached to this message as a PDF file. It holds your personal voting credential: keep it secret and do not forward this message.",
        "closing": "This message was sent by the election's credential authority, which prints and sends the voting cards independently of the organizer.",
    },
    "fr": {
        "card_title": "Carte de vote",
        "organizer": "Organisé par",
        "election": "Élection",
        "voter_id": "Numéro d’électeur",
        "ballot": "Votre bulletin",
        "credential": "Votre identifiant de vote",
        "credential_note": "Gardez-le secret. Saisissez-le tel qu’il est imprimé : les tirets et les espaces n’ont pas d’importance, et les lettres I, L, O et U ne sont jamais utilisées.",
        "vote_at": "Votez à l’adresse",
        "scan": "ou scannez ce code",
        "closes": "Fin du vote",
        "anchors": "Empreinte des ancres de confiance (l’isoloir affiche la même)",
        "how": "Comment voter",
        "step_vote": "Ouvrez l’isoloir à l’adresse ci-dessus, saisissez l’identifiant de vote imprimé sur cette carte, faites vos choix et déposez votre bulletin.",
        "step_challenge": "Avant de déposer, vous pouvez plutôt contester le bulletin : l’isoloir montre alors comment il a été chiffré, pour que vous puissiez le vérifier, et vous recommencez. Un bulletin contesté n’est jamais compté.",
        "step_receipt": "Après le dépôt, notez le code de confirmation affiché par l’isoloir. Sur la page « Rechercher un bulletin » de l’isoloir, vérifiez que votre bulletin figure dans l’urne publique sous ce code.",
        "step_nothing": "Si vous n’avez pas voté, vous pouvez vérifier que rien n’a été déposé en votre nom : saisissez votre identifiant sur la page de recherche de l’isoloir.",
        "private": "Personne ne vous demandera jamais cet identifiant, ni par courriel, ni par téléphone, ni en personne. Si vous perdez cette carte, demandez-en une nouvelle à l’organisateur.",
        "subject": "Votre carte de vote : {title}",
        "greeting": "Bonjour,",
        "intro": "Votre carte de vote pour cette élection est jointe à ce message (fichier PDF). Elle contient votre identifiant de vote personnel : gardez-le secret et ne transférez pas ce message.",
        "closing": "Ce message vous est envoyé par l’autorité des identifiants de l’élection, qui imprime et envoie les cartes de vote indépendamment de l’organisateur.",
    },
    "de": {
        "card_title": "Wahlkarte",
        "organizer": "Veranstaltet von",
        "election": "Wahl",
        "voter_id": "Wählernummer",
        "ballot": "Ihr Stimmzettel",
        "credential": "Ihr Zugangscode",
        "credential_note": "Halten Sie ihn geheim. Geben Sie ihn wie gedruckt ein: Bindestriche und Leerzeichen spielen keine Rolle, die Buchstaben I, L, O und U kommen nie vor.",
        "vote_at": "Wählen Sie unter",
        "scan": "oder scannen Sie diesen Code",
        "closes": "Wahlschluss",
        "anchors": "Fingerabdruck der Vertrauensanker (die Wahlkabine zeigt denselben)",
        "how": "So wählen Sie",
        "step_vote": "Öffnen Sie die Wahlkabine unter der obigen Adresse, geben Sie den Zugangscode dieser Karte ein, treffen Sie Ihre Wahl und geben Sie Ihren Stimmzettel ab.",
        "step_challenge": "Vor der Abgabe können Sie den Stimmzettel stattdessen zur Kontrolle öffnen: Die Wahlkabine zeigt dann, wie er verschlüsselt wurde, damit Sie es prüfen können, und Sie beginnen neu. Ein zur Kontrolle geöffneter Stimmzettel wird nie gezählt.",
        "step_receipt": "Notieren Sie nach der Abgabe den Bestätigungscode, den die Wahlkabine anzeigt. Prüfen Sie auf der Seite „Einen Stimmzettel nachschlagen“, dass Ihr Stimmzettel unter diesem Code in der öffentlichen Urne liegt.",
        "step_nothing": "Wenn Sie nicht gewählt haben, können Sie prüfen, dass nichts in Ihrem Namen abgegeben wurde: Geben Sie Ihren Zugangscode auf der Nachschlageseite der Wahlkabine ein.",
        "private": "Niemand wird Sie je nach diesem Zugangscode fragen, weder per E-Mail noch am Telefon noch persönlich. Wenn Sie diese Karte verlieren, bitten Sie den Veranstalter um eine neue.",
        "subject": "Ihre Wahlkarte: {title}",
        "greeting": "Guten Tag,",
        "intro": "Ihre Wahlkarte für diese Wahl ist dieser Nachricht als PDF-Datei beigefügt. Sie enthält Ihren persönlichen Zugangscode: Halten Sie ihn geheim und leiten Sie diese Nachricht nicht weiter.",
        "closing": "Diese Nachricht wurde von der Ausgabestelle der Zugangscodes gesendet, die die Wahlkarten unabhängig vom Veranstalter druckt und versendet.",
    },
    "es": {
        "card_title": "Tarjeta de votación",
        "organizer": "Organizado por",
        "election": "Elección",
        "voter_id": "Número de votante",
        "ballot": "Su papeleta",
        "credential": "Su credencial de voto",
        "credential_note": "Manténgala en secreto. Escríbala tal como está impresa: los guiones y los espacios no importan, y nunca se usan las letras I, L, O y U.",
        "vote_at": "Vote en",
        "scan": "o escanee este código",
        "closes": "Cierre de la votación",
        "anchors": "Huella de los anclajes de confianza (la cabina muestra la misma)",
        "how": "Cómo votar",
        "step_vote": "Abra la cabina en la dirección de arriba, escriba la credencial de voto impresa en esta tarjeta, haga su elección y deposite su papeleta.",
        "step_challenge": "Antes de depositarla, puede abrirla para comprobarla: la cabina muestra entonces cómo se cifró, para que pueda verificarlo, y usted vuelve a empezar. Una papeleta abierta para comprobar nunca se cuenta.",
        "step_receipt": "Después de depositarla, anote el código de confirmación que muestra la cabina. En la página «Buscar una papeleta» de la cabina, compruebe que su papeleta está en la urna pública con ese código.",
        "step_nothing": "Si no ha votado, puede comprobar que no se ha depositado nada en su nombre: escriba su credencial en la página de búsqueda de la cabina.",
        "private": "Nadie le pedirá nunca esta credencial, ni por correo electrónico, ni por teléfono, ni en persona. Si pierde esta tarjeta, pida una nueva al organizador.",
        "subject": "Su tarjeta de votación: {title}",
        "greeting": "Hola:",
        "intro": "Su tarjeta de votación para esta elección va adjunta a este mensaje como archivo PDF. Contiene su credencial de voto personal: manténgala en secreto y no reenvíe este mensaje.",
        "closing": "Este mensaje lo envía la autoridad de credenciales de la elección, que imprime y envía las tarjetas de votación con independencia del organizador.",
    },
    "it": {
        "card_title": "Tessera di voto",
        "organizer": "Organizzato da",
        "election": "Elezione",
        "voter_id": "Numero elettore",
        "ballot": "La sua scheda",
        "credential": "La sua credenziale di voto",
        "credential_note": "La tenga segreta. La digiti come è stampata: trattini e spazi non contano, e le lettere I, L, O e U non sono mai usate.",
        "vote_at": "Voti all’indirizzo",
        "scan": "o scansioni questo codice",
        "closes": "Chiusura del voto",
        "anchors": "Impronta delle ancore di fiducia (la cabina mostra la stessa)",
        "how": "Come votare",
        "step_vote": "Apra la cabina all’indirizzo indicato sopra, digiti la credenziale di voto stampata su questa tessera, faccia le sue scelte e depositi la scheda.",
        "step_challenge": "Prima di depositarla, può invece aprirla per la verifica: la cabina mostra allora come è stata cifrata, così che lei possa controllarla, e si ricomincia. Una scheda aperta per la verifica non viene mai contata.",
        "step_receipt": "Dopo il deposito, annoti il codice di conferma mostrato dalla cabina. Nella pagina «Cerca una scheda» della cabina, verifichi che la sua scheda sia nell’urna pubblica con questo codice.",
        "step_nothing": "Se non ha votato, può verificare che nulla sia stato depositato a suo nome: digiti la sua credenziale nella pagina di ricerca della cabina.",
        "private": "Nessuno le chiederà mai questa credenziale, né per e-mail, né per telefono, né di persona. Se perde questa tessera, ne chieda una nuova all’organizzatore.",
        "subject": "La sua tessera di voto: {title}",
        "greeting": "Buongiorno,",
        "intro": "La sua tessera di voto per questa elezione è allegata a questo messaggio come file PDF. Contiene la sua credenziale di voto personale: la tenga segreta e non inoltri questo messaggio.",
        "closing": "Questo messaggio è inviato dall’autorità delle credenziali dell’elezione, che stampa e invia le tessere di voto in modo indipendente dall’organizzatore.",
    },
    "pt": {
        "card_title": "Cartão de voto",
        "organizer": "Organizado por",
        "election": "Eleição",
        "voter_id": "Número de eleitor",
        "ballot": "O seu boletim",
        "credential": "A sua credencial de voto",
        "credential_note": "Mantenha-a secreta. Escreva-a tal como está impressa: os hífenes e os espaços não contam, e as letras I, L, O e U nunca são usadas.",
        "vote_at": "Vote em",
        "scan": "ou leia este código",
        "closes": "Fim da votação",
        "anchors": "Impressão digital das âncoras de confiança (a cabine mostra a mesma)",
        "how": "Como votar",
        "step_vote": "Abra a cabine no endereço acima, escreva a credencial de voto impressa neste cartão, faça as suas escolhas e deposite o seu boletim.",
        "step_challenge": "Antes de depositar, pode em vez disso testar o boletim: a cabine mostra então como foi cifrado, para que o possa verificar, e recomeça. Um boletim testado nunca é contado.",
        "step_receipt": "Depois de depositar, anote o código de confirmação que a cabine mostra. Na página «Procurar um boletim» da cabine, verifique que o seu boletim está na urna pública com esse código.",
        "step_nothing": "Se não votou, pode verificar que nada foi depositado em seu nome: escreva a sua credencial na página de pesquisa da cabine.",
        "private": "Ninguém lhe pedirá nunca esta credencial, nem por e-mail, nem por telefone, nem pessoalmente. Se perder este cartão, peça um novo ao organizador.",
        "subject": "O seu cartão de voto: {title}",
        "greeting": "Olá,",
        "intro": "O seu cartão de voto para esta eleição segue em anexo a esta mensagem, num ficheiro PDF. Contém a sua credencial de voto pessoal: mantenha-a secreta e não reencaminhe esta mensagem.",
        "closing": "Esta mensagem foi enviada pela autoridade de credenciais da eleição, que imprime e envia os cartões de voto de forma independente do organizador.",
    },
    "nl": {
        "card_title": "Stemkaart",
        "organizer": "Georganiseerd door",
        "election": "Verkiezing",
        "voter_id": "Kiezersnummer",
        "ballot": "Uw stembiljet",
        "credential": "Uw stemcode",
        "credential_note": "Houd hem geheim. Typ hem zoals gedrukt: streepjes en spaties maken niet uit, en de letters I, L, O en U komen nooit voor.",
        "vote_at": "Stem op",
        "scan": "of scan deze code",
        "closes": "Sluiting van de stemming",
        "anchors": "Vingerafdruk van de vertrouwensankers (het stemhokje toont dezelfde)",
        "how": "Zo stemt u",
        "step_vote": "Open het stemhokje op het adres hierboven, typ de stemcode van deze kaart, maak uw keuzes en breng uw stem uit.",
        "step_challenge": "Vóór het uitbrengen kunt u het stembiljet in plaats daarvan testen: het stemhokje toont dan hoe het versleuteld is, zodat u dat kunt controleren, en u begint opnieuw. Een getest stembiljet telt nooit mee.",
        "step_receipt": "Noteer na het uitbrengen de bevestigingscode die het stemhokje toont. Controleer op de pagina „Stembiljet opzoeken” dat uw stembiljet onder die code in de openbare stembus zit.",
        "step_nothing": "Als u niet gestemd hebt, kunt u controleren dat er niets op uw naam is uitgebracht: typ uw stemcode op de opzoekpagina van het stemhokje.",
        "private": "Niemand zal u ooit om deze stemcode vragen, niet per e-mail, niet per telefoon en niet persoonlijk. Bent u deze kaart kwijt, vraag de organisator dan om een nieuwe.",
        "subject": "Uw stemkaart: {title}",
        "greeting": "Goedendag,",
        "intro": "Uw stemkaart voor deze verkiezing zit als pdf-bestand bij dit bericht. Er staat uw persoonlijke stemcode op: houd die geheim en stuur dit bericht niet door.",
        "closing": "Dit bericht is verstuurd door de uitgever van de stemcodes, die de stemkaarten onafhankelijk van de organisator drukt en verstuurt.",
    },
    "pl": {
        "card_title": "Karta do głosowania",
        "organizer": "Organizator",
        "election": "Wybory",
        "voter_id": "Numer wyborcy",
        "ballot": "Twoja karta wyborcza",
        "credential": "Twój kod do głosowania",
        "credential_note": "Zachowaj go w tajemnicy. Wpisz go tak, jak jest wydrukowany: myślniki i spacje nie mają znaczenia, a litery I, L, O i U nigdy nie występują.",
        "vote_at": "Głosuj pod adresem",
        "scan": "lub zeskanuj ten kod",
        "closes": "Koniec głosowania",
        "anchors": "Odcisk kotwic zaufania (kabina pokazuje ten sam)",
        "how": "Jak głosować",
        "step_vote": "Otwórz kabinę pod powyższym adresem, wpisz kod do głosowania z tej karty, dokonaj wyboru i wrzuć kartę do urny.",
        "step_challenge": "Przed wrzuceniem do urny możesz zamiast tego przetestować kartę: kabina pokaże wtedy, jak została zaszyfrowana, abyś mógł to sprawdzić, i zaczniesz od nowa. Przetestowana karta nigdy nie jest liczona.",
        "step_receipt": "Po wrzuceniu do urny zapisz kod potwierdzenia pokazany przez kabinę. Na stronie „Wyszukaj kartę” sprawdź, że Twoja karta jest w publicznej urnie pod tym kodem.",
        "step_nothing": "Jeśli nie głosowałeś, możesz sprawdzić, że nic nie zostało oddane w Twoim imieniu: wpisz swój kod na stronie wyszukiwania kabiny.",
        "private": "Nikt nigdy nie poprosi Cię o ten kod: ani e-mailem, ani telefonicznie, ani osobiście. Jeśli zgubisz tę kartę, poproś organizatora o nową.",
        "subject": "Twoja karta do głosowania: {title}",
        "greeting": "Dzień dobry,",
        "intro": "Twoja karta do głosowania w tych wyborach jest załączona do tej wiadomości jako plik PDF. Zawiera Twój osobisty kod do głosowania: zachowaj go w tajemnicy i nie przekazuj tej wiadomości dalej.",
        "closing": "Tę wiadomość wysłał urząd kodów do głosowania, który drukuje i wysyła karty niezależnie od organizatora.",
    },
    "uk": {
        "card_title": "Картка для голосування",
        "organizer": "Організатор",
        "election": "Вибори",
        "voter_id": "Номер виборця",
        "ballot": "Ваш бюлетень",
        "credential": "Ваш код для голосування",
        "credential_note": "Тримайте його в таємниці. Вводьте його так, як надруковано: дефіси й пробіли не мають значення, а літери I, L, O та U ніколи не використовуються.",
        "vote_at": "Голосуйте за адресою",
        "scan": "або відскануйте цей код",
        "closes": "Голосування завершується",
        "anchors": "Відбиток якорів довіри (кабіна показує такий самий)",
        "how": "Як голосувати",
        "step_vote": "Відкрийте кабіну за адресою вище, введіть код для голосування з цієї картки, зробіть свій вибір і подайте бюлетень.",
        "step_challenge": "Перед поданням ви можете натомість розкрити бюлетень для перевірки: кабіна покаже, як його зашифровано, щоб ви могли це перевірити, і ви почнете знову. Розкритий бюлетень ніколи не враховується.",
        "step_receipt": "Після подання запишіть код підтвердження, який показує кабіна. На сторінці «Знайти бюлетень» перевірте, що ваш бюлетень є в публічній урні під цим кодом.",
        "step_nothing": "Якщо ви не голосували, ви можете перевірити, що від вашого імені нічого не подано: введіть свій код на сторінці пошуку кабіни.",
        "private": "Ніхто ніколи не попросить у вас цей код — ні електронною поштою, ні телефоном, ні особисто. Якщо ви загубите цю картку, попросіть в організатора нову.",
        "subject": "Ваша картка для голосування: {title}",
        "greeting": "Добрий день!",
        "intro": "Вашу картку для голосування на цих виборах додано до цього листа як файл PDF. На ній ваш особистий код для голосування: тримайте його в таємниці й не пересилайте цей лист.",
        "closing": "Цей лист надіслав орган видачі кодів для голосування, який друкує й надсилає картки незалежно від організатора.",
    },
    "ar": {
        "card_title": "بطاقة التصويت",
        "organizer": "الجهة المنظِّمة",
        "election": "الانتخاب",
        "voter_id": "رقم الناخب",
        "ballot": "ورقة اقتراعك",
        "credential": "رمز التصويت الخاص بك",
        "credential_note": "احتفظ به سرًّا. اكتبه كما هو مطبوع: الشرطات والمسافات لا تهم، والحروف اللاتينية I و L و O و U لا تُستعمل أبدًا.",
        "vote_at": "صوِّت على العنوان",
        "scan": "أو امسح هذا الرمز",
        "closes": "نهاية التصويت",
        "anchors": "بصمة مراسي الثقة (تعرض المقصورة البصمة نفسها)",
        "how": "كيف تصوّت",
        "step_vote": "افتح مقصورة الاقتراع على العنوان أعلاه، واكتب رمز التصويت المطبوع على هذه البطاقة، واختر، ثم أودِع ورقة اقتراعك.",
        "step_challenge": "قبل الإيداع يمكنك بدلًا من ذلك كشف الورقة للتحقق: تعرض المقصورة عندئذ كيف شُفِّرت لتتحقق منها، ثم تبدأ من جديد. الورقة المكشوفة لا تُحتسب أبدًا.",
        "step_receipt": "بعد الإيداع، دوِّن رمز التأكيد الذي تعرضه المقصورة. وفي صفحة «البحث عن ورقة اقتراع» تحقّق من أن ورقتك موجودة في صندوق الاقتراع العام بهذا الرمز.",
        "step_nothing": "إذا لم تصوّت، يمكنك التحقق من أنه لم يُودَع شيء باسمك: اكتب رمز التصويت في صفحة البحث في المقصورة.",
        "private": "لن يطلب منك أحد هذا الرمز أبدًا، لا بالبريد الإلكتروني ولا بالهاتف ولا شخصيًّا. إذا فقدت هذه البطاقة فاطلب بطاقة جديدة من الجهة المنظِّمة.",
        "subject": "بطاقة التصويت الخاصة بك: {title}",
        "greeting": "مرحبًا،",
        "intro": "بطاقة التصويت الخاصة بك لهذا الانتخاب مرفقة بهذه الرسالة ملفَّ PDF. وهي تحمل رمز التصويت الشخصي الخاص بك: احتفظ به سرًّا ولا تُعِد توجيه هذه الرسالة.",
        "closing": "أرسل هذه الرسالة مُصدِر رموز التصويت للانتخاب، وهو يطبع بطاقات التصويت ويرسلها مستقلًّا عن الجهة المنظِّمة.",
    },
}


def election_title(manifest: Manifest, language: str | None) -> str:
    """The election's title in the voter's language: the manifest's ``title`` (record-format §2) in that
    language, else its default language's; the manifest's label when it gives no title. On one line (it goes
    into an e-mail's subject)."""
    return " ".join(manifest.title_text.get(language).split()) or manifest.label


def style_name(manifest: Manifest, style: str, language: str | None) -> str | None:
    """A ballot style's name in the voter's language: the style's ``name`` in the manifest, else the older
    ``info`` entry ``style.<label>``; None when the manifest names it nowhere."""
    found = manifest.style(style)
    if found is not None and found.name_text != Text(found.label):
        return " ".join(found.name_text.get(language).split()) or None
    item = next((i for i in manifest.info_items if i.key == f"style.{style}"), None)
    return (" ".join(item.value.get(language).split()) or None) if item is not None else None


def text(language: str, key: str) -> str:
    """The text ``key`` in ``language`` (KeyError for a language or key the table lacks: a bug, not input)."""
    return TEXTS[language][key]


def mail_body(language: str, *, title: str, organizer: str, booth_url: str, closes_at: str | None) -> str:
    """The plain-text body of a voter's e-mail: it names the booth's address but never the credential,
    which is only on the attached card."""
    t = TEXTS[language]
    lines = [t["greeting"], "", t["intro"], "", f"{t['election']}: {title}", f"{t['organizer']}: {organizer}", f"{t['vote_at']}: {booth_url}"]
    if closes_at:
        lines.append(f"{t['closes']}: {closes_at}")
    lines += ["", t["how"]]
    lines += [f"{n}. {t[step]}" for n, step in enumerate(STEPS, start=1)]
    lines += ["", t["private"], "", "-- ", t["closing"]]
    return "\n".join(lines) + "\n"
