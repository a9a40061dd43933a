// Alle deutschen Texte der Seite, mit denselben Schlüsseln wie en.ts.

import type { Messages } from "./en.js";

export const de: Messages = {
  "page.title": "hashbank: die Verbreitung intimer Bilder stoppen",
  "page.skip": "Zum Inhalt springen",
  "page.brand": "hashbank",
  "lang.self": "Deutsch",
  "lang.label": "Sprache",
  "nav.label": "Bereiche",
  "nav.file": "Einen Fall melden",
  "nav.case": "Einen Fall verfolgen oder zurückziehen",
  "nav.about": "So funktioniert es, und Hilfe",
  "page.loading": "Wird geladen…",

  // Melden: Bilder auswählen.
  "file.title": "Stoppen Sie die Verbreitung intimer Bilder von Ihnen",
  "file.intro":
    "Wenn intime Bilder von Ihnen ohne Ihre Zustimmung geteilt wurden, oder wenn Sie das befürchten, können Sie Plattformen bitten, sie zu finden und zu entfernen. Wählen Sie die Bilder hier aus. Diese Seite erstellt auf diesem Gerät einen Fingerabdruck jedes Bildes. Nur die Fingerabdrücke werden gesendet: Die Bilder verlassen Ihr Gerät nie.",
  "file.more": "Was ist ein Fingerabdruck, und wer erhält ihn?",
  "file.step1": "1. Die Bilder und Videos auswählen",
  "file.pick": "Bilder oder Videos auswählen",
  "file.pick.hint":
    "Sie können mehrere Dateien auf einmal auswählen. Bilder: JPEG, PNG, WebP, GIF, BMP oder TIFF, bis zu {max} MB pro Bild. Videos: MP4, MOV oder WebM, bis zu {minutes} Minuten und {gb} GB pro Video.",
  "file.drop": "Oder ziehen Sie die Dateien hierher und legen Sie sie ab.",
  "file.previews": "Kleine Vorschaubilder zeigen",
  "file.previews.hint":
    "Die Vorschau ist aus, solange Sie sie nicht einschalten, damit Sie die Bilder nicht noch einmal sehen müssen. Sie wird nur auf diesem Gerät erstellt.",
  "file.list.label": "Ausgewählte Bilder und Videos",
  "file.list.empty": "Noch keine Bilder oder Videos ausgewählt.",
  "file.preview.alt": "Vorschau von {name}",
  "file.remove": "Entfernen",
  "file.remove.label": "{name} entfernen",
  "file.cancel": "Abbrechen",
  "file.cancel.label": "Das Lesen von {name} abbrechen und es entfernen",
  "file.state.reading": "Der Fingerabdruck wird erstellt…",
  "file.state.ready": "Bereit: Fingerabdruck auf diesem Gerät erstellt.",
  "file.state.video":
    "Die Fingerabdrücke werden auf diesem Gerät erstellt: {percent} % erledigt.",
  "file.progress.label": "Fortschritt von {name}",
  "file.summary.none": "Noch keine Datei ist bereit.",
  "file.summary":
    "{images} Dateien bereit, {hashes} Fingerabdrücke zu senden. Die Dateien selbst werden nicht gesendet.",
  "file.summary.one":
    "1 Datei bereit, {hashes} Fingerabdrücke zu senden. Die Datei selbst wird nicht gesendet.",
  "file.summary.refused":
    "Dateien, die nicht verwendet werden können: {count} (siehe Liste). Sie werden weggelassen.",

  // Warum ein Bild nicht verwendet werden kann.
  "refusal.not_an_image":
    "Diese Datei ist kein Bild, das hier verwendet werden kann. Wählen Sie ein Bild im Format JPEG, PNG, WebP, GIF, BMP oder TIFF.",
  "refusal.too_large":
    "Diese Datei ist größer als {max} MB und damit zu groß, um hier gelesen zu werden.",
  "refusal.too_many_pixels":
    "Dieses Bild hat mehr als {max} Millionen Pixel, zu viele, um hier gelesen zu werden.",
  "refusal.too_long": "Dieses Video ist länger als {max} Minuten und damit zu lang, um hier gelesen zu werden.",
  "refusal.video_unsupported":
    "Dieser Browser kann diese Art von Video nicht lesen und daher hier keine Fingerabdrücke davon erstellen. Sie können diese Seite in einem anderen Browser öffnen (aktuelle Versionen von Chrome, Edge, Firefox und Safari lesen die meisten Videos), oder eine Person Ihres Vertrauens bitten, die Fingerabdrücke mit dem Offline-Programm „hashbank hash“ zu erstellen.",
  "refusal.video_too_large": "Dieses Video ist größer als {max} GB und damit zu groß, um hier gelesen zu werden.",
  "refusal.not_a_video":
    "Diese Datei ist kein Video, das hier verwendet werden kann. Wählen Sie ein Video im Format MP4, MOV oder WebM.",
  "refusal.video_corrupt":
    "Dieses Video scheint beschädigt oder unvollständig zu sein und kann deshalb nicht gelesen werden.",
  "refusal.video_low_quality":
    "Dieses Video hat zu wenig Einzelheiten, um sicher wiedererkannt zu werden (zum Beispiel fast leere Bilder), und kann deshalb nicht verwendet werden.",
  "refusal.corrupt":
    "Dieses Bild scheint beschädigt oder unvollständig zu sein und kann deshalb nicht gelesen werden.",
  "refusal.low_quality":
    "Dieses Bild hat zu wenig Einzelheiten, um sicher wiedererkannt zu werden (zum Beispiel ein fast leeres Bild), und kann deshalb nicht verwendet werden.",
  "refusal.duplicate": "Dies ist dieselbe Datei wie „{name}“, die schon in der Liste steht.",
  "refusal.failed":
    "Beim Lesen dieses Bildes ist etwas schiefgegangen. Entfernen Sie es und versuchen Sie es noch einmal.",

  // Melden: die Frage und die Schaltfläche.
  "file.step2": "2. Eine Frage",
  "file.minor.legend": "Waren Sie auf einem dieser Bilder jünger als 18?",
  "file.minor.yes": "Ja",
  "file.minor.no": "Nein",
  "file.minor.hint":
    "Bilder von Personen unter 18 werden mit höchster Priorität behandelt. Wenn Sie nicht sicher sind, können Sie mit Ja antworten.",
  "file.step3": "3. Den Fall melden",
  "file.send.hint":
    "Nur die Fingerabdrücke und Ihre Antwort werden gesendet. Danach erhalten Sie eine Fallnummer und eine PIN.",
  "file.send": "Meinen Fall melden",
  "file.sending": "Ihr Fall wird gemeldet…",
  "file.error.no_images": "Wählen Sie mindestens ein Bild oder Video aus, das verwendet werden kann.",
  "file.error.busy":
    "Einige Bilder werden noch gelesen. Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal.",
  "file.error.minor": "Bitte beantworten Sie diese Frage.",
  "file.error.too_many":
    "Diese Bilder ergeben {hashes} Fingerabdrücke, ein Fall fasst höchstens {max}. Entfernen Sie einige Bilder und melden Sie sie in einem zweiten Fall.",
  "file.error.send":
    "Der Fall konnte nicht gemeldet werden: {reason} Ihre Bilder sind noch hier, nichts ist verloren. Sie können es noch einmal versuchen.",

  // Gemeldet.
  "filed.title": "Ihr Fall ist gemeldet",
  "filed.number": "Fallnummer",
  "filed.pin": "PIN",
  "filed.keep":
    "Bewahren Sie die Fallnummer und die PIN an einem sicheren Ort auf: Schreiben Sie sie auf, oder speichern Sie sie in einem Passwort-Manager. Sie werden nur dieses eine Mal gezeigt, und niemand kann sie wiederherstellen. Sie brauchen beide, um Ihren Fall zu verfolgen oder zurückzuziehen.",
  "filed.receipt": "Eine Bestätigung herunterladen",
  "filed.receipt.hint":
    "Die Bestätigung enthält die Fallnummer, das Datum und die Fingerabdrücke. Sie enthält weder die PIN noch ein Bild.",
  "filed.next.title": "Wie es weitergeht",
  "filed.next":
    "Plattformen, die mit diesem Dienst zusammenarbeiten, erhalten die Fingerabdrücke und vergleichen sie mit den Bildern auf ihren Diensten. Findet eine Plattform eine Übereinstimmung, prüft sie das Bild, entfernt es, wenn es gegen ihre Regeln verstößt, und meldet das hierher zurück. Sie können das auf der Seite Ihres Falls verfolgen.",
  "filed.follow": "Diesen Fall verfolgen",
  "filed.again": "Einen weiteren Fall melden",

  // Bestätigung (eine Textdatei).
  "receipt.title": "hashbank: Bestätigung Ihres Falls",
  "receipt.number": "Fallnummer",
  "receipt.date": "Gemeldet am",
  "receipt.count": "Fingerabdrücke",
  "receipt.note":
    "Diese Bestätigung enthält keine PIN und kein Bild. Bewahren Sie Ihre PIN getrennt auf: Sie brauchen sie zusammen mit der Fallnummer, um Ihren Fall zu verfolgen oder zurückzuziehen.",
  "receipt.file": "hashbank-bestaetigung-{number}.txt",

  // Einen Fall verfolgen.
  "case.title": "Ihren Fall verfolgen oder zurückziehen",
  "case.intro": "Geben Sie die Fallnummer und die PIN ein, die Sie beim Melden Ihres Falls erhalten haben.",
  "case.number": "Fallnummer",
  "case.number.hint": "Zum Beispiel HB-7K2M-9QXP-4TDA",
  "case.pin": "PIN",
  "case.open": "Meinen Fall öffnen",
  "case.opening": "Ihr Fall wird geöffnet…",
  "case.error.missing": "Geben Sie die Fallnummer und die PIN ein.",
  "case.error.wrong":
    "Die Fallnummer oder die PIN stimmt nicht. Bitte prüfen Sie beide und versuchen Sie es noch einmal.",
  "case.error.locked":
    "Es gab zu viele falsche Versuche, deshalb ist dieser Fall zu Ihrem Schutz gesperrt. Versuchen Sie es in {minutes} Minuten noch einmal.",
  "case.error.other": "Der Fall konnte nicht geöffnet werden: {reason}",
  "case.heading": "Fall {number}",
  "case.status": "Stand",
  "case.status.open": "Offen: Plattformen suchen nach diesen Bildern",
  "case.status.withdrawn": "Zurückgezogen",
  "case.filed": "Gemeldet am",
  "case.date": "{date}",
  "case.withdrawn": "Zurückgezogen am",
  "case.minor": "Unter 18",
  "case.minor.yes": "Ja",
  "case.found.title": "Was Plattformen gefunden haben",
  "case.found.none": "Noch keine Plattform hat eine Übereinstimmung gemeldet.",
  "case.found.platform": "{platform}: gefundene Übereinstimmungen: {matches}, entfernt: {removed}.",
  "case.report.date": "Gemeldet am",
  "case.report.outcome": "Entscheidung",
  "case.report.outcome_date": "Entschieden am",
  "case.report.moments": "Stellen in Ihrem Video",
  "case.report.moments.more": "{moments} und {more} weitere",
  "case.outcome.removed": "Entfernt",
  "case.outcome.not_violating": "Nicht entfernt: nach Ansicht der Plattform kein Verstoß gegen ihre Regeln",
  "case.outcome.pending_review": "Wird geprüft",
  "case.outcome.none": "Die Entscheidung der Plattform steht noch aus",
  "case.finds.title": "Bei einer Ermittlung gefunden",
  "case.finds.find": "Am {date} hat {unit} Ihre Bilder in Material gefunden, das bei einer Ermittlung beschlagnahmt wurde: {hashes} Ihrer Fingerabdrücke, in {files} Dateien.",
  "case.finds.reference": "Anzugebendes Aktenzeichen: {reference}",
  "case.finds.choice": "Die Ermittler wissen nicht, wer Sie sind, und ob Sie sich bei ihnen melden, entscheiden Sie selbst. Wenn Sie möchten, erreichen Sie sie so:",
  "case.finds.contact": "{contact}",
  "case.finds.no_contact": "Die Dienststelle hat keine Kontaktdaten angegeben.",
  "case.hashes.title": "Fingerabdrücke in diesem Fall",
  "case.hashes.show": "Die {count} Fingerabdrücke zeigen",
  "case.hash.kind": "Art",
  "case.hash.state": "Stand",
  "case.hash.value": "Fingerabdruck",
  "case.hash.whole": "PDQ, ganzes Bild",
  "case.hash.part": "PDQ, Teil des Bildes",
  "case.hash.md5": "MD5, genau diese Datei",
  "case.hash.sha256": "SHA-256, genau diese Datei",
  "case.hash.video": "vPDQ, Video ({frames} Bilder)",
  "case.hash.active": "Aktiv",
  "case.hash.suspended": "Pausiert: Nach Ansicht der Plattformen verstoßen die Übereinstimmungen nicht gegen ihre Regeln",
  "case.hash.withdrawn": "Gelöscht",
  "case.hash.erased": "(gelöscht)",
  "case.withdraw.title": "Den Fall zurückziehen",
  "case.withdraw.text":
    "Wenn Sie Ihren Fall zurückziehen, wird jeder Fingerabdruck darin aus diesem Dienst gelöscht, und alle Plattformen werden aufgefordert, sie zu löschen und nicht mehr nach diesen Bildern zu suchen. Das kann nicht rückgängig gemacht werden. Sie können jederzeit einen neuen Fall melden.",
  "case.withdraw.window":
    "Manche Plattformen können einen Fingerabdruck nur löschen, wenn er ihnen noch einmal geschickt wird. Deshalb bewahrt dieser Dienst Ihre Fingerabdrücke nach dem Zurückziehen noch 30 Tage auf, mit einem Schlüssel verschlossen (verschlüsselt), nur dafür. Danach wird der Schlüssel vernichtet, und niemand kann sie je wieder lesen.",
  "case.withdraw": "Meinen Fall zurückziehen…",
  "case.withdraw.confirm.title": "Diesen Fall zurückziehen?",
  "case.withdraw.confirm": "Ja, zurückziehen und löschen",
  "case.withdraw.cancel": "Nein, meinen Fall behalten",
  "case.withdrawing": "Ihr Fall wird zurückgezogen…",
  "case.withdrawn.done":
    "Ihr Fall ist zurückgezogen. {count} Fingerabdrücke wurden gelöscht, und die Plattformen wurden aufgefordert, sie zu löschen.",
  "case.close": "Diesen Fall schließen",
  "case.closed":
    "Der Fall ist auf dieser Seite geschlossen. Seine Nummer und PIN werden hier nicht mehr aufbewahrt.",

  // So funktioniert es, und Hilfe.
  "about.title": "So funktioniert es",
  "about.hash.title": "Was ist ein Fingerabdruck?",
  "about.hash":
    "Ein Fingerabdruck (auch Hash genannt) ist ein kurzer Code, der aus einem Bild berechnet wird, etwa 9c4f…e21a. Ähnliche Bilder ergeben ähnliche Codes, so kann eine Plattform eine Kopie des Bildes wiedererkennen, auch wenn sie verkleinert oder leicht verändert wurde. Aus dem Fingerabdruck lässt sich das Bild nicht wiederherstellen, und niemand kann das Bild sehen, indem er ihn ansieht.",
  "about.device.title": "Ihre Bilder bleiben auf Ihrem Gerät",
  "about.device":
    "Diese Seite erstellt die Fingerabdrücke in Ihrem Browser. Die Bilder werden nicht hochgeladen, nicht einmal für einen Moment. Wenn Sie die Vorschau einschalten, wird sie nur aus dem Speicher Ihres Geräts angezeigt.",
  "about.who.title": "Wer die Fingerabdrücke erhält",
  "about.who":
    "Dieser Dienst speichert die Fingerabdrücke, das Datum und Ihre Antwort zum Alter. Er speichert weder Ihren Namen noch Ihre E-Mail-Adresse noch ein Bild. Plattformen, die mit dem Dienst zusammenarbeiten, erhalten die Fingerabdrücke ohne Ihre Fallnummer, um Kopien der Bilder zu finden.",
  "about.next.title": "Wie es weitergeht",
  "about.next":
    "Plattformen vergleichen die Fingerabdrücke mit Bildern, die auf ihre Dienste hochgeladen oder dort gespeichert werden. Finden sie eine Übereinstimmung, prüfen sie das Bild, entfernen es, wenn es gegen ihre Regeln verstößt, und melden das zurück. Sie können das mit Ihrer Fallnummer und PIN verfolgen und Ihren Fall jederzeit zurückziehen.",
  "about.help.title": "Hilfe und Unterstützung",
  "about.help":
    "Was passiert ist, ist nicht Ihre Schuld, und Sie müssen damit nicht allein fertigwerden. Diese Stellen können helfen:",
  "about.help.call": "{phone} anrufen",
  "about.help.site": "Website: {url}",
  "about.help.none": "Die Hilfekontakte konnten nicht geladen werden.",

  // Fehler aus dem Netz.
  "net.error": "Der Dienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es noch einmal.",
  "net.busy": "Der Dienst startet gerade. Bitte versuchen Sie es gleich noch einmal.",
};
