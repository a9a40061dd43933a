// Elke Nederlandse tekst van de pagina, met dezelfde sleutels als en.ts.

import type { Messages } from "./en.js";

export const nl: Messages = {
  "page.title": "hashbank: voorkom dat intieme beelden verder verspreid worden",
  "page.skip": "Naar de inhoud",
  "page.brand": "hashbank",
  "lang.self": "Nederlands",
  "lang.label": "Taal",
  "nav.label": "Onderdelen",
  "nav.file": "Een melding doen",
  "nav.case": "Je melding volgen of intrekken",
  "nav.about": "Hoe het werkt en hulp",
  "page.loading": "Bezig met laden…",

  "file.title": "Voorkom dat intieme beelden van jou verder verspreid worden",
  "file.intro":
    "Zijn er intieme beelden van jou verspreid zonder je toestemming, of ben je bang dat dat gebeurt? Dan kun je platforms vragen ze op te sporen en te verwijderen. Kies hier de beelden. Deze pagina maakt van elk beeld een vingerafdruk, op dit toestel. Alleen de vingerafdrukken worden verstuurd: de beelden zelf verlaten je toestel nooit.",
  "file.more": "Wat is een vingerafdruk, en wie krijgt die?",
  "file.step1": "1. Kies de beelden en video’s",
  "file.pick": "Beelden of video’s kiezen",
  "file.pick.hint":
    "Je kan meerdere bestanden tegelijk kiezen. Beelden: JPEG, PNG, WebP, GIF, BMP of TIFF, tot {max} MB per beeld. Video’s: MP4, MOV of WebM, tot {minutes} minuten en {gb} GB per video.",
  "file.drop": "Of sleep de bestanden hierheen.",
  "file.previews": "Kleine voorbeelden van de beelden tonen",
  "file.previews.hint":
    "De voorbeelden staan uit tot je ze aanzet, zodat je de beelden niet opnieuw hoeft te zien. Ze worden alleen op dit toestel gemaakt.",
  "file.list.label": "Gekozen beelden en video’s",
  "file.list.empty": "Nog geen beelden of video’s gekozen.",
  "file.preview.alt": "Voorbeeld van {name}",
  "file.remove": "Verwijderen",
  "file.remove.label": "{name} verwijderen",
  "file.cancel": "Annuleren",
  "file.cancel.label": "Stop met het lezen van {name} en verwijder het",
  "file.state.reading": "Vingerafdruk wordt gemaakt…",
  "file.state.ready": "Klaar: vingerafdruk gemaakt op dit toestel.",
  "file.state.video": "De vingerafdrukken worden op dit toestel gemaakt: {percent}% klaar.",
  "file.progress.label": "Voortgang van {name}",
  "file.summary.none": "Er is nog geen bestand klaar.",
  "file.summary":
    "{images} bestanden klaar, {hashes} vingerafdrukken om te versturen. De bestanden zelf worden niet verstuurd.",
  "file.summary.one":
    "1 bestand klaar, {hashes} vingerafdrukken om te versturen. Het bestand zelf wordt niet verstuurd.",
  "file.summary.refused":
    "Bestanden die niet gebruikt kunnen worden: {count} (zie de lijst). Ze worden weggelaten.",

  "refusal.not_an_image":
    "Dit bestand is geen beeld dat hier gebruikt kan worden. Kies een JPEG-, PNG-, WebP-, GIF-, BMP- of TIFF-beeld.",
  "refusal.too_large": "Dit bestand is groter dan {max} MB, te groot om hier te lezen.",
  "refusal.too_many_pixels":
    "Dit beeld heeft meer dan {max} miljoen pixels, te veel om hier te lezen.",
  "refusal.too_long": "Deze video duurt langer dan {max} minuten, te lang om hier gelezen te worden.",
  "refusal.video_unsupported":
    "Deze browser kan dit soort video niet lezen, dus hij kan er hier geen vingerafdrukken van maken. Je kan deze pagina in een andere browser openen (recente versies van Chrome, Edge, Firefox en Safari lezen de meeste video’s), of iemand die je vertrouwt vragen om de vingerafdrukken te maken met het offline programma “hashbank hash”.",
  "refusal.video_too_large": "Deze video is groter dan {max} GB, te groot om hier gelezen te worden.",
  "refusal.not_a_video":
    "Dit bestand is geen video die hier gebruikt kan worden. Kies een MP4-, MOV- of WebM-video.",
  "refusal.video_corrupt":
    "Deze video lijkt beschadigd of onvolledig, dus hij kan niet gelezen worden.",
  "refusal.video_low_quality":
    "Deze video heeft te weinig details om betrouwbaar herkend te worden (bijvoorbeeld bijna lege beelden), dus hij kan niet gebruikt worden.",
  "refusal.corrupt": "Dit beeld lijkt beschadigd of onvolledig en kan niet gelezen worden.",
  "refusal.low_quality":
    "Dit beeld heeft te weinig details om betrouwbaar herkend te worden (bijvoorbeeld een bijna leeg beeld) en kan niet gebruikt worden.",
  "refusal.duplicate": "Dit is hetzelfde bestand als “{name}”, dat al in de lijst staat.",
  "refusal.failed":
    "Er ging iets mis bij het lezen van dit beeld. Verwijder het en probeer het opnieuw.",

  "file.step2": "2. Eén vraag",
  "file.minor.legend": "Was je jonger dan 18 op een van deze beelden?",
  "file.minor.yes": "Ja",
  "file.minor.no": "Nee",
  "file.minor.hint":
    "Beelden van iemand jonger dan 18 krijgen de hoogste voorrang. Als je het niet zeker weet, kun je ja antwoorden.",
  "file.step3": "3. Doe je melding",
  "file.send.hint":
    "Alleen de vingerafdrukken en je antwoord worden verstuurd. Daarna krijg je een meldingsnummer en een pincode.",
  "file.send": "Melding doen",
  "file.sending": "Je melding wordt verstuurd…",
  "file.error.no_images": "Kies minstens één beeld of video die gebruikt kan worden.",
  "file.error.busy":
    "Sommige beelden worden nog gelezen. Wacht even en probeer het dan opnieuw.",
  "file.error.minor": "Beantwoord deze vraag.",
  "file.error.too_many":
    "Deze beelden geven {hashes} vingerafdrukken, en een melding bevat er hoogstens {max}. Verwijder enkele beelden en meld die in een tweede melding.",
  "file.error.send":
    "De melding kon niet verstuurd worden: {reason} Je beelden staan er nog, er is niets verloren. Je kunt het opnieuw proberen.",

  "filed.title": "Je melding is gedaan",
  "filed.number": "Meldingsnummer",
  "filed.pin": "Pincode",
  "filed.keep":
    "Bewaar het meldingsnummer en de pincode op een veilige plek: schrijf ze op, of bewaar ze in een wachtwoordbeheerder. Ze worden maar één keer getoond en niemand kan ze terughalen. Je hebt ze allebei nodig om je melding te volgen of in te trekken.",
  "filed.receipt": "Ontvangstbewijs downloaden",
  "filed.receipt.hint":
    "Het ontvangstbewijs bevat het meldingsnummer, de datum en de vingerafdrukken. Het bevat geen pincode en geen enkel beeld.",
  "filed.next.title": "Wat er nu gebeurt",
  "filed.next":
    "Platforms die met deze dienst samenwerken, krijgen de vingerafdrukken en vergelijken ze met de beelden op hun diensten. Vindt een platform een overeenkomst, dan bekijkt het het beeld, verwijdert het als het de regels overtreedt en meldt het dat hier. Je kunt dat volgen op de pagina van je melding.",
  "filed.follow": "Deze melding volgen",
  "filed.again": "Nog een melding doen",

  "receipt.title": "hashbank: ontvangstbewijs van je melding",
  "receipt.number": "Meldingsnummer",
  "receipt.date": "Gemeld op",
  "receipt.count": "Vingerafdrukken",
  "receipt.note":
    "Dit ontvangstbewijs bevat geen pincode en geen beeld. Bewaar je pincode apart: je hebt ze samen met het meldingsnummer nodig om je melding te volgen of in te trekken.",
  "receipt.file": "hashbank-ontvangstbewijs-{number}.txt",

  "case.title": "Je melding volgen of intrekken",
  "case.intro": "Vul het meldingsnummer en de pincode in die je kreeg toen je je melding deed.",
  "case.number": "Meldingsnummer",
  "case.number.hint": "Bijvoorbeeld HB-7K2M-9QXP-4TDA",
  "case.pin": "Pincode",
  "case.open": "Mijn melding openen",
  "case.opening": "Je melding wordt geopend…",
  "case.error.missing": "Vul zowel het meldingsnummer als de pincode in.",
  "case.error.wrong":
    "Het meldingsnummer of de pincode klopt niet. Kijk ze na en probeer het opnieuw.",
  "case.error.locked":
    "Er waren te veel foute pogingen, daarom is deze melding voor je veiligheid vergrendeld. Probeer het opnieuw over {minutes} minuten.",
  "case.error.other": "De melding kon niet geopend worden: {reason}",
  "case.heading": "Melding {number}",
  "case.status": "Status",
  "case.status.open": "Open: platforms zoeken naar deze beelden",
  "case.status.withdrawn": "Ingetrokken",
  "case.filed": "Gemeld op",
  "case.date": "{date}",
  "case.withdrawn": "Ingetrokken op",
  "case.minor": "Jonger dan 18",
  "case.minor.yes": "Ja",
  "case.found.title": "Wat platforms gevonden hebben",
  "case.found.none": "Nog geen enkel platform heeft een overeenkomst gemeld.",
  "case.found.platform": "{platform}: overeenkomsten gevonden: {matches}, verwijderd: {removed}.",
  "case.report.date": "Gemeld op",
  "case.report.outcome": "Beslissing",
  "case.report.outcome_date": "Beslist op",
  "case.report.moments": "Momenten van je video",
  "case.report.moments.more": "{moments} en nog {more}",
  "case.outcome.removed": "Verwijderd",
  "case.outcome.not_violating":
    "Niet verwijderd: volgens het platform niet in strijd met zijn regels",
  "case.outcome.pending_review": "Wordt bekeken",
  "case.outcome.none": "Wacht op de beslissing van het platform",
  "case.finds.title": "Gevonden in een onderzoek",
  "case.finds.find": "Op {date} vond {unit} je beelden in materiaal dat bij een onderzoek in beslag is genomen: {hashes} van je vingerafdrukken, in {files} bestanden.",
  "case.finds.reference": "Referentie om te vermelden: {reference}",
  "case.finds.choice": "De onderzoekers weten niet wie je bent, en of je contact met hen opneemt, kies je zelf. Als je dat wilt, kun je hen zo bereiken:",
  "case.finds.contact": "{contact}",
  "case.finds.no_contact": "De dienst heeft geen contactgegevens opgegeven.",
  "case.hashes.title": "Vingerafdrukken in deze melding",
  "case.hashes.show": "De {count} vingerafdrukken tonen",
  "case.hash.kind": "Soort",
  "case.hash.state": "Toestand",
  "case.hash.value": "Vingerafdruk",
  "case.hash.whole": "PDQ, heel het beeld",
  "case.hash.part": "PDQ, deel van het beeld",
  "case.hash.md5": "MD5, exact bestand",
  "case.hash.sha256": "SHA-256, exact bestand",
  "case.hash.video": "vPDQ, video ({frames} beelden)",
  "case.hash.active": "Actief",
  "case.hash.suspended":
    "Gepauzeerd: volgens platforms waren de overeenkomsten niet in strijd met hun regels",
  "case.hash.withdrawn": "Gewist",
  "case.hash.erased": "(gewist)",
  "case.withdraw.title": "De melding intrekken",
  "case.withdraw.text":
    "Als je je melding intrekt, wordt elke vingerafdruk ervan gewist uit deze dienst, en krijgen alle platforms de vraag ze te verwijderen en niet langer naar deze beelden te zoeken. Dit kan niet ongedaan gemaakt worden. Je kunt altijd een nieuwe melding doen.",
  "case.withdraw.window":
    "Sommige platforms kunnen een vingerafdruk alleen verwijderen als ze die nog één keer krijgen. Daarom bewaart deze dienst je vingerafdrukken na het intrekken nog 30 dagen, vergrendeld met een sleutel (versleuteld), alleen daarvoor. Daarna wordt de sleutel vernietigd en kan niemand ze ooit nog lezen.",
  "case.withdraw": "Mijn melding intrekken…",
  "case.withdraw.confirm.title": "Deze melding intrekken?",
  "case.withdraw.confirm": "Ja, intrekken en wissen",
  "case.withdraw.cancel": "Nee, mijn melding behouden",
  "case.withdrawing": "Je melding wordt ingetrokken…",
  "case.withdrawn.done":
    "Je melding is ingetrokken. {count} vingerafdrukken zijn gewist en de platforms hebben de vraag gekregen ze te verwijderen.",
  "case.close": "Deze melding sluiten",
  "case.closed":
    "De melding is gesloten op deze pagina. Het nummer en de pincode worden hier niet meer bijgehouden.",

  "about.title": "Hoe het werkt",
  "about.hash.title": "Wat is een vingerafdruk?",
  "about.hash":
    "Een vingerafdruk (ook hash genoemd) is een korte code die uit een beeld berekend wordt, zoals 9c4f…e21a. Gelijkaardige beelden geven gelijkaardige codes, zodat een platform een kopie van het beeld kan herkennen, ook als die verkleind of licht veranderd is. Het beeld kan niet uit de vingerafdruk teruggehaald worden, en niemand kan het beeld zien door naar de code te kijken.",
  "about.device.title": "Je beelden blijven op je toestel",
  "about.device":
    "Deze pagina maakt de vingerafdrukken in je browser. De beelden worden niet verstuurd, zelfs niet even. Als je de voorbeelden aanzet, worden ze alleen uit het geheugen van je toestel getoond.",
  "about.who.title": "Wie de vingerafdrukken krijgt",
  "about.who":
    "Deze dienst bewaart de vingerafdrukken, de datum en je antwoord over je leeftijd. Hij bewaart geen naam, geen e-mailadres en geen enkel beeld. Platforms die met de dienst samenwerken, krijgen de vingerafdrukken, zonder je meldingsnummer, om kopieën van de beelden te vinden.",
  "about.next.title": "Wat er daarna gebeurt",
  "about.next":
    "Platforms vergelijken de vingerafdrukken met de beelden die op hun diensten gezet of bewaard worden. Vinden ze een overeenkomst, dan bekijken ze het beeld en verwijderen ze het als het hun regels overtreedt, en melden ze dat. Je kunt dat volgen met je meldingsnummer en pincode, en je melding op elk moment intrekken.",
  "about.help.title": "Hulp en steun",
  "about.help": "Wat er gebeurd is, is niet jouw schuld, en je staat er niet alleen voor. Deze diensten kunnen helpen:",
  "about.help.call": "Bel {phone}",
  "about.help.site": "Website: {url}",
  "about.help.none": "De hulpcontacten konden niet geladen worden.",

  "net.error": "De dienst is niet bereikbaar. Controleer je verbinding en probeer het opnieuw.",
  "net.busy": "De dienst wordt opgestart. Probeer het zo meteen opnieuw.",
};
