// Every English string of the page. nl.ts, fr.ts and de.ts have the same keys
// (the compiler checks it). {name} marks a value filled in by the page.

export const en = {
  "page.title": "hashbank: stop intimate images from spreading",
  "page.skip": "Skip to the main content",
  "page.brand": "hashbank",
  "lang.self": "English",
  "lang.label": "Language",
  "nav.label": "Sections",
  "nav.file": "File a case",
  "nav.case": "Follow or withdraw a case",
  "nav.about": "How it works and help",
  "page.loading": "Loading…",

  // Filing: choosing images.
  "file.title": "Stop intimate images of you from spreading",
  "file.intro":
    "If intimate images of you have been shared without your consent, or you fear they will be, you can ask platforms to find and remove them. Choose the images here. This page makes a fingerprint of each image on this device. Only the fingerprints are sent: the images never leave your device.",
  "file.more": "What is a fingerprint, and who receives it?",
  "file.step1": "1. Choose the images and videos",
  "file.pick": "Choose images or videos",
  "file.pick.hint":
    "You can choose several files at once. Images: JPEG, PNG, WebP, GIF, BMP or TIFF, up to {max} MB each. Videos: MP4, MOV or WebM, up to {minutes} minutes and {gb} GB each.",
  "file.drop": "Or drag the files and drop them here.",
  "file.previews": "Show small previews of the images",
  "file.previews.hint":
    "Previews are off unless you turn them on, so you do not have to see the images again. They are made on this device only.",
  "file.list.label": "Chosen images and videos",
  "file.list.empty": "No images or videos chosen yet.",
  "file.preview.alt": "Preview of {name}",
  "file.remove": "Remove",
  "file.remove.label": "Remove {name}",
  "file.cancel": "Cancel",
  "file.cancel.label": "Stop reading {name} and remove it",
  "file.state.reading": "Making the fingerprint…",
  "file.state.ready": "Ready: fingerprint made on this device.",
  "file.state.video": "Making the fingerprints on this device: {percent}% done.",
  "file.progress.label": "Progress of {name}",
  "file.summary.none": "No file is ready yet.",
  "file.summary":
    "{images} files ready, {hashes} fingerprints to send. The files themselves are not sent.",
  "file.summary.one":
    "1 file ready, {hashes} fingerprints to send. The file itself is not sent.",
  "file.summary.refused":
    "Files that cannot be used: {count} (see the list). They are left out.",

  // Why an image cannot be used.
  "refusal.not_an_image":
    "This file is not an image that can be used here. Choose a JPEG, PNG, WebP, GIF, BMP or TIFF image.",
  "refusal.too_large":
    "This file is larger than {max} MB, too large to be read here.",
  "refusal.too_many_pixels":
    "This image has more than {max} million pixels, too many to be read here.",
  "refusal.too_long": "This video is longer than {max} minutes, too long to be read here.",
  "refusal.video_unsupported":
    "This browser cannot read this kind of video, so it cannot make its fingerprints here. You can open this page in another browser (recent versions of Chrome, Edge, Firefox and Safari read most videos), or ask someone you trust to make the fingerprints with the offline tool “hashbank hash”.",
  "refusal.video_too_large": "This video is larger than {max} GB, too large to be read here.",
  "refusal.not_a_video":
    "This file is not a video that can be used here. Choose an MP4, MOV or WebM video.",
  "refusal.video_corrupt":
    "This video seems damaged or incomplete, so it cannot be read.",
  "refusal.video_low_quality":
    "This video has too little detail to be recognised reliably (for example, almost empty pictures), so it cannot be used.",
  "refusal.corrupt":
    "This image seems damaged or incomplete, so it cannot be read.",
  "refusal.low_quality":
    "This image has too little detail to be recognised reliably (for example, an almost empty picture), so it cannot be used.",
  "refusal.duplicate": "This is the same file as “{name}”, which is already in the list.",
  "refusal.failed":
    "Something went wrong while reading this image. Remove it and try again.",

  // Filing: the question and the button.
  "file.step2": "2. One question",
  "file.minor.legend": "Were you under 18 in any of these images?",
  "file.minor.yes": "Yes",
  "file.minor.no": "No",
  "file.minor.hint":
    "Images of someone under 18 are handled with the highest priority. If you are not sure, you can answer yes.",
  "file.step3": "3. File your case",
  "file.send.hint":
    "Only the fingerprints and your answer are sent. You then receive a case number and a PIN.",
  "file.send": "File my case",
  "file.sending": "Filing your case…",
  "file.error.no_images": "Choose at least one image or video that can be used.",
  "file.error.busy": "Some images are still being read. Please wait a moment, then try again.",
  "file.error.minor": "Please answer this question.",
  "file.error.too_many":
    "These images give {hashes} fingerprints, and a case holds at most {max}. Remove some images and file them in a second case.",
  "file.error.send":
    "The case could not be filed: {reason} Your images are still here, nothing was lost. You can try again.",

  // Filed.
  "filed.title": "Your case is filed",
  "filed.number": "Case number",
  "filed.pin": "PIN",
  "filed.keep":
    "Keep the case number and the PIN somewhere safe: write them down, or save them in a password manager. They are shown only this once and nobody can recover them. You need both to follow or withdraw your case.",
  "filed.receipt": "Download a receipt",
  "filed.receipt.hint":
    "The receipt holds the case number, the date and the fingerprints. It does not hold the PIN or any image.",
  "filed.next.title": "What happens next",
  "filed.next":
    "Platforms that work with this service receive the fingerprints and compare them with images on their services. When one finds a match, it checks the image, removes it if it breaks its rules, and reports back here. You can follow this on the page of your case.",
  "filed.follow": "Follow this case",
  "filed.again": "File another case",

  // Receipt (a text file).
  "receipt.title": "hashbank: receipt of your case",
  "receipt.number": "Case number",
  "receipt.date": "Filed on",
  "receipt.count": "Fingerprints",
  "receipt.note":
    "This receipt holds no PIN and no image. Keep your PIN separately: you need it with the case number to follow or withdraw your case.",
  "receipt.file": "hashbank-receipt-{number}.txt",

  // Following a case.
  "case.title": "Follow or withdraw your case",
  "case.intro": "Enter the case number and PIN you received when you filed your case.",
  "case.number": "Case number",
  "case.number.hint": "For example HB-7K2M-9QXP-4TDA",
  "case.pin": "PIN",
  "case.open": "Open my case",
  "case.opening": "Opening your case…",
  "case.error.missing": "Enter both the case number and the PIN.",
  "case.error.wrong": "The case number or the PIN is not right. Please check them and try again.",
  "case.error.locked":
    "There were too many wrong tries, so this case is locked for your safety. Try again in {minutes} minutes.",
  "case.error.other": "The case could not be opened: {reason}",
  "case.heading": "Case {number}",
  "case.status": "Status",
  "case.status.open": "Open: platforms look for these images",
  "case.status.withdrawn": "Withdrawn",
  "case.filed": "Filed on",
  "case.date": "{date}",
  "case.withdrawn": "Withdrawn on",
  "case.minor": "Under 18",
  "case.minor.yes": "Yes",
  "case.found.title": "What platforms found",
  "case.found.none": "No platform has reported a match yet.",
  "case.found.platform": "{platform}: matches found: {matches}, removed: {removed}.",
  "case.report.date": "Reported on",
  "case.report.outcome": "Decision",
  "case.report.outcome_date": "Decided on",
  "case.report.moments": "Moments of your video",
  "case.report.moments.more": "{moments} and {more} more",
  "case.outcome.removed": "Removed",
  "case.outcome.not_violating": "Not removed: judged not against the platform's rules",
  "case.outcome.pending_review": "Being reviewed",
  "case.outcome.none": "Waiting for the platform's decision",
  "case.finds.title": "Found in an investigation",
  "case.finds.find": "On {date}, {unit} found your images in material seized in an investigation: {hashes} of your fingerprints, in {files} files.",
  "case.finds.reference": "Reference to quote: {reference}",
  "case.finds.choice": "The investigators do not know who you are, and whether you contact them is your choice. If you want to, this is how to reach them:",
  "case.finds.contact": "{contact}",
  "case.finds.no_contact": "The unit left no contact details.",
  "case.hashes.title": "Fingerprints in this case",
  "case.hashes.show": "Show the {count} fingerprints",
  "case.hash.kind": "Type",
  "case.hash.state": "State",
  "case.hash.value": "Fingerprint",
  "case.hash.whole": "PDQ, whole image",
  "case.hash.part": "PDQ, part of the image",
  "case.hash.md5": "MD5, exact file",
  "case.hash.sha256": "SHA-256, exact file",
  "case.hash.video": "vPDQ, video ({frames} frames)",
  "case.hash.active": "Active",
  "case.hash.suspended": "Paused: platforms judged the matches not against their rules",
  "case.hash.withdrawn": "Erased",
  "case.hash.erased": "(erased)",
  "case.withdraw.title": "Withdraw the case",
  "case.withdraw.text":
    "If you withdraw your case, every fingerprint in it is erased from this service, and all platforms are told to delete them and stop looking for these images. This cannot be undone. You can file a new case at any time.",
  "case.withdraw.window":
    "Some platforms can delete a fingerprint only when it is sent to them once more. So for 30 days after you withdraw, this service keeps your fingerprints locked with a key (encrypted), for that alone. Then the key is destroyed, and nobody can ever read them again.",
  "case.withdraw": "Withdraw my case…",
  "case.withdraw.confirm.title": "Withdraw this case?",
  "case.withdraw.confirm": "Yes, withdraw and erase",
  "case.withdraw.cancel": "No, keep my case",
  "case.withdrawing": "Withdrawing your case…",
  "case.withdrawn.done":
    "Your case is withdrawn. {count} fingerprints were erased, and platforms have been told to delete them.",
  "case.close": "Close this case",
  "case.closed": "The case is closed on this page. Its number and PIN are no longer kept here.",

  // How it works, and help.
  "about.title": "How it works",
  "about.hash.title": "What is a fingerprint?",
  "about.hash":
    "A fingerprint (also called a hash) is a short code computed from an image, such as 9c4f…e21a. Similar images give similar codes, so a platform can recognise a copy of the image, even if it was resized or slightly changed. The image cannot be rebuilt from its fingerprint, and nobody can see the image by looking at it.",
  "about.device.title": "Your images stay on your device",
  "about.device":
    "This page makes the fingerprints inside your browser. The images are not uploaded, not even for a moment. If you turn previews on, they are shown from your device's memory only.",
  "about.who.title": "Who receives the fingerprints",
  "about.who":
    "This service keeps the fingerprints, the date and your answer about age. It does not keep your name, your e-mail address or any image. Platforms that work with the service receive the fingerprints, without your case number, to find copies of the images.",
  "about.next.title": "What happens next",
  "about.next":
    "Platforms compare the fingerprints with images that are uploaded or stored on their services. When they find a match, they check the image and remove it if it breaks their rules, then report back. You can follow this with your case number and PIN, and withdraw your case at any time.",
  "about.help.title": "Help and support",
  "about.help":
    "What happened is not your fault, and you do not have to face it alone. These services can help:",
  "about.help.call": "Call {phone}",
  "about.help.site": "Website: {url}",
  "about.help.none": "The help contacts could not be loaded.",

  // Errors from the network.
  "net.error": "The service cannot be reached. Check your connection and try again.",
  "net.busy": "The service is starting. Please try again in a moment.",
} as const;

/** The keys every language has. */
export type Key = keyof typeof en;

/** One language's strings. */
export type Messages = Record<Key, string>;
