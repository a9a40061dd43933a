// Tous les textes français de la page, avec les mêmes clés que en.ts.

import type { Messages } from "./en.js";

export const fr: Messages = {
  "page.title": "hashbank : empêcher la diffusion d’images intimes",
  "page.skip": "Aller au contenu",
  "page.brand": "hashbank",
  "lang.self": "Français",
  "lang.label": "Langue",
  "nav.label": "Rubriques",
  "nav.file": "Faire un signalement",
  "nav.case": "Suivre ou retirer un signalement",
  "nav.about": "Fonctionnement et aide",
  "page.loading": "Chargement…",

  "file.title": "Empêcher la diffusion d’images intimes de vous",
  "file.intro":
    "Si des images intimes de vous ont été partagées sans votre consentement, ou si vous craignez qu’elles le soient, vous pouvez demander aux plateformes de les retrouver et de les retirer. Choisissez les images ici. Cette page calcule une empreinte de chaque image sur cet appareil. Seules les empreintes sont envoyées : les images ne quittent jamais votre appareil.",
  "file.more": "Qu’est-ce qu’une empreinte, et qui la reçoit ?",
  "file.step1": "1. Choisir les images et les vidéos",
  "file.pick": "Choisir des images ou des vidéos",
  "file.pick.hint":
    "Vous pouvez choisir plusieurs fichiers à la fois. Images : JPEG, PNG, WebP, GIF, BMP ou TIFF, jusqu’à {max} Mo chacune. Vidéos : MP4, MOV ou WebM, jusqu’à {minutes} minutes et {gb} Go chacune.",
  "file.drop": "Ou faites glisser les fichiers ici.",
  "file.previews": "Afficher de petits aperçus des images",
  "file.previews.hint":
    "Les aperçus restent masqués tant que vous ne les activez pas, pour que vous n’ayez pas à revoir les images. Ils sont créés sur cet appareil uniquement.",
  "file.list.label": "Images et vidéos choisies",
  "file.list.empty": "Aucune image ou vidéo choisie pour l’instant.",
  "file.preview.alt": "Aperçu de {name}",
  "file.remove": "Retirer",
  "file.remove.label": "Retirer {name}",
  "file.cancel": "Annuler",
  "file.cancel.label": "Arrêter la lecture de {name} et le retirer",
  "file.state.reading": "Calcul de l’empreinte…",
  "file.state.ready": "Prête : empreinte calculée sur cet appareil.",
  "file.state.video": "Les empreintes sont créées sur cet appareil : {percent} % effectués.",
  "file.progress.label": "Progression de {name}",
  "file.summary.none": "Aucun fichier n’est encore prêt.",
  "file.summary":
    "{images} fichiers prêts, {hashes} empreintes à envoyer. Les fichiers eux-mêmes ne sont pas envoyés.",
  "file.summary.one":
    "1 fichier prêt, {hashes} empreintes à envoyer. Le fichier lui-même n’est pas envoyé.",
  "file.summary.refused":
    "Fichiers inutilisables : {count} (voir la liste). Ils sont laissés de côté.",

  "refusal.not_an_image":
    "Ce fichier n’est pas une image utilisable ici. Choisissez une image JPEG, PNG, WebP, GIF, BMP ou TIFF.",
  "refusal.too_large": "Ce fichier dépasse {max} Mo : il est trop volumineux pour être lu ici.",
  "refusal.too_many_pixels":
    "Cette image compte plus de {max} millions de pixels : c’est trop pour être lue ici.",
  "refusal.too_long": "Cette vidéo dure plus de {max} minutes, trop longtemps pour être lue ici.",
  "refusal.video_unsupported":
    "Ce navigateur ne sait pas lire ce type de vidéo, il ne peut donc pas en créer les empreintes ici. Vous pouvez ouvrir cette page dans un autre navigateur (les versions récentes de Chrome, Edge, Firefox et Safari lisent la plupart des vidéos), ou demander à une personne de confiance de créer les empreintes avec l’outil hors ligne « hashbank hash ».",
  "refusal.video_too_large": "Cette vidéo fait plus de {max} Go, trop pour être lue ici.",
  "refusal.not_a_video":
    "Ce fichier n’est pas une vidéo utilisable ici. Choisissez une vidéo MP4, MOV ou WebM.",
  "refusal.video_corrupt":
    "Cette vidéo semble endommagée ou incomplète, elle ne peut donc pas être lue.",
  "refusal.video_low_quality":
    "Cette vidéo a trop peu de détails pour être reconnue de façon fiable (par exemple des images presque vides), elle ne peut donc pas être utilisée.",
  "refusal.corrupt": "Cette image semble abîmée ou incomplète : elle ne peut pas être lue.",
  "refusal.low_quality":
    "Cette image contient trop peu de détails pour être reconnue de manière fiable (par exemple une image presque vide) : elle ne peut pas être utilisée.",
  "refusal.duplicate": "C’est le même fichier que « {name} », déjà dans la liste.",
  "refusal.failed":
    "Un problème est survenu pendant la lecture de cette image. Retirez-la et réessayez.",

  "file.step2": "2. Une question",
  "file.minor.legend": "Aviez-vous moins de 18 ans sur l’une de ces images ?",
  "file.minor.yes": "Oui",
  "file.minor.no": "Non",
  "file.minor.hint":
    "Les images d’une personne de moins de 18 ans sont traitées en priorité absolue. En cas de doute, vous pouvez répondre oui.",
  "file.step3": "3. Envoyer le signalement",
  "file.send.hint":
    "Seules les empreintes et votre réponse sont envoyées. Vous recevez ensuite un numéro de signalement et un code PIN.",
  "file.send": "Envoyer mon signalement",
  "file.sending": "Envoi de votre signalement…",
  "file.error.no_images": "Choisissez au moins une image ou une vidéo utilisable.",
  "file.error.busy":
    "Certaines images sont encore en cours de lecture. Patientez un instant, puis réessayez.",
  "file.error.minor": "Veuillez répondre à cette question.",
  "file.error.too_many":
    "Ces images donnent {hashes} empreintes, et un signalement en contient au plus {max}. Retirez quelques images et envoyez-les dans un second signalement.",
  "file.error.send":
    "Le signalement n’a pas pu être envoyé : {reason} Vos images sont toujours là, rien n’est perdu. Vous pouvez réessayer.",

  "filed.title": "Votre signalement est envoyé",
  "filed.number": "Numéro de signalement",
  "filed.pin": "Code PIN",
  "filed.keep":
    "Conservez le numéro de signalement et le code PIN en lieu sûr : notez-les, ou enregistrez-les dans un gestionnaire de mots de passe. Ils ne sont affichés qu’une seule fois et personne ne peut les retrouver. Les deux sont nécessaires pour suivre ou retirer votre signalement.",
  "filed.receipt": "Télécharger un récépissé",
  "filed.receipt.hint":
    "Le récépissé contient le numéro de signalement, la date et les empreintes. Il ne contient ni le code PIN ni aucune image.",
  "filed.next.title": "Et ensuite ?",
  "filed.next":
    "Les plateformes qui collaborent avec ce service reçoivent les empreintes et les comparent aux images présentes sur leurs services. Lorsqu’une plateforme trouve une correspondance, elle examine l’image, la retire si elle enfreint ses règles, et le signale ici. Vous pouvez suivre cela sur la page de votre signalement.",
  "filed.follow": "Suivre ce signalement",
  "filed.again": "Faire un autre signalement",

  "receipt.title": "hashbank : récépissé de votre signalement",
  "receipt.number": "Numéro de signalement",
  "receipt.date": "Envoyé le",
  "receipt.count": "Empreintes",
  "receipt.note":
    "Ce récépissé ne contient ni code PIN ni image. Conservez votre code PIN à part : il vous faut, avec le numéro de signalement, pour suivre ou retirer votre signalement.",
  "receipt.file": "hashbank-recepisse-{number}.txt",

  "case.title": "Suivre ou retirer votre signalement",
  "case.intro":
    "Saisissez le numéro de signalement et le code PIN reçus lors de l’envoi de votre signalement.",
  "case.number": "Numéro de signalement",
  "case.number.hint": "Par exemple HB-7K2M-9QXP-4TDA",
  "case.pin": "Code PIN",
  "case.open": "Ouvrir mon signalement",
  "case.opening": "Ouverture de votre signalement…",
  "case.error.missing": "Saisissez le numéro de signalement et le code PIN.",
  "case.error.wrong":
    "Le numéro de signalement ou le code PIN n’est pas correct. Vérifiez-les et réessayez.",
  "case.error.locked":
    "Il y a eu trop d’essais erronés : ce signalement est verrouillé pour votre sécurité. Réessayez dans {minutes} minutes.",
  "case.error.other": "Le signalement n’a pas pu être ouvert : {reason}",
  "case.heading": "Signalement {number}",
  "case.status": "État",
  "case.status.open": "Ouvert : les plateformes recherchent ces images",
  "case.status.withdrawn": "Retiré",
  "case.filed": "Envoyé le",
  "case.date": "{date}",
  "case.withdrawn": "Retiré le",
  "case.minor": "Moins de 18 ans",
  "case.minor.yes": "Oui",
  "case.found.title": "Ce que les plateformes ont trouvé",
  "case.found.none": "Aucune plateforme n’a encore signalé de correspondance.",
  "case.found.platform": "{platform} : correspondances trouvées : {matches}, retirées : {removed}.",
  "case.report.date": "Signalé le",
  "case.report.outcome": "Décision",
  "case.report.outcome_date": "Décidé le",
  "case.report.moments": "Moments de votre vidéo",
  "case.report.moments.more": "{moments} et {more} de plus",
  "case.outcome.removed": "Retirée",
  "case.outcome.not_violating": "Non retirée : jugée conforme aux règles de la plateforme",
  "case.outcome.pending_review": "En cours d’examen",
  "case.outcome.none": "En attente de la décision de la plateforme",
  "case.finds.title": "Trouvé lors d’une enquête",
  "case.finds.find": "Le {date}, {unit} a trouvé vos images dans du matériel saisi lors d’une enquête : {hashes} de vos empreintes, dans {files} fichiers.",
  "case.finds.reference": "Référence à mentionner : {reference}",
  "case.finds.choice": "Les enquêteurs ne savent pas qui vous êtes, et c’est à vous de choisir si vous les contactez. Si vous le souhaitez, voici comment les joindre :",
  "case.finds.contact": "{contact}",
  "case.finds.no_contact": "Le service n’a pas laissé de coordonnées.",
  "case.hashes.title": "Empreintes de ce signalement",
  "case.hashes.show": "Afficher les {count} empreintes",
  "case.hash.kind": "Type",
  "case.hash.state": "État",
  "case.hash.value": "Empreinte",
  "case.hash.whole": "PDQ, image entière",
  "case.hash.part": "PDQ, partie de l’image",
  "case.hash.md5": "MD5, fichier exact",
  "case.hash.sha256": "SHA-256, fichier exact",
  "case.hash.video": "vPDQ, vidéo ({frames} images)",
  "case.hash.active": "Active",
  "case.hash.suspended":
    "En pause : les plateformes ont jugé les correspondances conformes à leurs règles",
  "case.hash.withdrawn": "Effacée",
  "case.hash.erased": "(effacée)",
  "case.withdraw.title": "Retirer le signalement",
  "case.withdraw.text":
    "Si vous retirez votre signalement, chacune de ses empreintes est effacée de ce service, et toutes les plateformes sont invitées à les supprimer et à ne plus rechercher ces images. Cette action est définitive. Vous pouvez faire un nouveau signalement à tout moment.",
  "case.withdraw.window":
    "Certaines plateformes ne peuvent supprimer une empreinte que si elle leur est envoyée une dernière fois. Pendant 30 jours après le retrait, ce service garde donc vos empreintes verrouillées par une clé (chiffrées), uniquement pour cela. Ensuite, la clé est détruite et plus personne ne pourra jamais les lire.",
  "case.withdraw": "Retirer mon signalement…",
  "case.withdraw.confirm.title": "Retirer ce signalement ?",
  "case.withdraw.confirm": "Oui, retirer et effacer",
  "case.withdraw.cancel": "Non, garder mon signalement",
  "case.withdrawing": "Retrait de votre signalement…",
  "case.withdrawn.done":
    "Votre signalement est retiré. {count} empreintes ont été effacées, et les plateformes ont été invitées à les supprimer.",
  "case.close": "Fermer ce signalement",
  "case.closed":
    "Le signalement est fermé sur cette page. Son numéro et son code PIN n’y sont plus conservés.",

  "about.title": "Comment cela fonctionne",
  "about.hash.title": "Qu’est-ce qu’une empreinte ?",
  "about.hash":
    "Une empreinte (aussi appelée hash) est un code court calculé à partir d’une image, comme 9c4f…e21a. Des images semblables donnent des codes semblables : une plateforme peut ainsi reconnaître une copie de l’image, même redimensionnée ou légèrement modifiée. L’image ne peut pas être reconstituée à partir de son empreinte, et personne ne peut voir l’image en regardant ce code.",
  "about.device.title": "Vos images restent sur votre appareil",
  "about.device":
    "Cette page calcule les empreintes dans votre navigateur. Les images ne sont pas envoyées, pas même un instant. Si vous activez les aperçus, ils sont affichés depuis la mémoire de votre appareil uniquement.",
  "about.who.title": "Qui reçoit les empreintes",
  "about.who":
    "Ce service conserve les empreintes, la date et votre réponse sur votre âge. Il ne conserve ni votre nom, ni votre adresse e-mail, ni aucune image. Les plateformes qui collaborent avec le service reçoivent les empreintes, sans votre numéro de signalement, pour retrouver les copies des images.",
  "about.next.title": "Et ensuite ?",
  "about.next":
    "Les plateformes comparent les empreintes aux images publiées ou stockées sur leurs services. Lorsqu’elles trouvent une correspondance, elles examinent l’image et la retirent si elle enfreint leurs règles, puis le signalent. Vous pouvez suivre cela avec votre numéro de signalement et votre code PIN, et retirer votre signalement à tout moment.",
  "about.help.title": "Aide et soutien",
  "about.help":
    "Ce qui s’est passé n’est pas de votre faute, et vous n’avez pas à y faire face sans aide. Ces services peuvent vous aider :",
  "about.help.call": "Appeler le {phone}",
  "about.help.site": "Site web : {url}",
  "about.help.none": "Les contacts d’aide n’ont pas pu être chargés.",

  "net.error": "Le service est injoignable. Vérifiez votre connexion et réessayez.",
  "net.busy": "Le service démarre. Réessayez dans un instant.",
};
