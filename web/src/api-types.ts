// The bodies of the bank's HTTP API as TypeScript types, made from the OpenAPI
// schemas of crates/api. Do not edit: `cargo test -p hashbank-api --test typescript`
// fails when this file differs from them, and with HASHBANK_WRITE_API_TYPES=1
// writes it.

/** How the decision was made, as the platform states in its outcome. */
export type AutomatedDecision = "AUTOMATED_DECISION_FULLY" | "AUTOMATED_DECISION_PARTIALLY" | "AUTOMATED_DECISION_NOT_AUTOMATED";

/** PDQ only: what a stored hash is a hash of. pdq: the whole image (role plain); the others (role extra): the image without uniform borders (trim) or a fixed part of it (central crops crop95, crop90, crop80; 85% crops pushed to a corner crop85tl, crop85tr, crop85bl, crop85br; the top or bottom 80%). */
export type BankLabel = "pdq" | "trim" | "crop95" | "crop90" | "crop80" | "crop85tl" | "crop85tr" | "crop85bl" | "crop85br" | "top80" | "bottom80";

/**
 * An investigator's find of the case's images in seized material, as the
 * case's owner sees it: who found them, how to reach them, and what to
 * quote. Contacting them is her choice; they do not know who she is.
 */
export interface CaseFind {
  /** The investigating unit's name. */
  unit: string;
  /**
   * The unit's contact text (phone, web address, opening hours, ...)
   * per language code (`en`, `nl`, `fr`, `de`, ...), as the operator
   * set it.
   */
  contact: Record<string, unknown>;
  /** The investigation's reference, to quote when contacting them. */
  reference: string;
  /** The day the material was found (`YYYY-MM-DD`). */
  found_on: string;
  /** How many of the case's hashes were found. */
  hashes: number;
  /** How many files of the seized material matched them. */
  files: number;
}

/** A hash of a case, as its owner sees it. */
export interface CaseHash {
  /** The case's own id of this hash. */
  id: number;
  /**
   * The public id of its value, the one platforms see (on the feed, in
   * matches and in reports): the same in every case that holds the
   * value. Absent once withdrawn.
   */
  hash_id?: number;
  /** Its kind. */
  kind: Kind;
  /** Its role. */
  role: Role;
  /**
   * PDQ only: what it is a hash of, a `BankLabel` name (`pdq`, `trim`,
   * `crop90`, ...).
   */
  label?: BankLabel;
  /** The hash in lower-case hex; absent once withdrawn. */
  value?: string;
  /** PDQ quality. */
  quality?: number;
  /** active, suspended or withdrawn. */
  status: HashStatus;
}

/** All the hashes of a case, after some were added. */
export interface CaseHashes {
  /** In the order they were added. */
  hashes: CaseHash[];
}

/** What one platform found for the case. */
export interface CasePlatform {
  /** The platform's name. */
  platform: string;
  /**
   * Pieces of content it reported as matches (one piece that matched
   * several of the case's hashes counts once).
   */
  matches_reported: number;
  /** Pieces of content it reported and said it removed. */
  removed: number;
  /** Its reports, oldest first. */
  reports: CaseReport[];
}

/** One platform's report of a match, as the case's owner sees it. */
export interface CaseReport {
  /**
   * Which hash of the case matched: its value's public id (the
   * `hash_id` of the case's hash).
   */
  hash_id: number;
  /** When the platform reported the match. */
  reported_at: string;
  /** Absent until the platform gives it. */
  outcome?: Outcome;
  /** When the outcome was given. */
  outcome_at?: string;
  /**
   * A report on a video: the moments of the case's video (seconds from
   * its start) that the platform's copy shows, by the frames it matched;
   * at most [`MAX_MOMENTS`]. Absent for a picture, or once the video is
   * withdrawn.
   */
  moments?: number[];
}

/** Whether a case is open or withdrawn. */
export type CaseStatus = "open" | "withdrawn";

/** A case as its owner sees it (`GET /v1/cases/{number}`). */
export interface CaseView {
  /** The case number. */
  case_number: string;
  /** open or withdrawn. */
  status: CaseStatus;
  /** `minor` or absent. */
  category?: Category;
  /** When it was filed. */
  created_at: string;
  /** When it was withdrawn. */
  withdrawn_at?: string;
  /** Its hashes. */
  hashes: CaseHash[];
  /** Per platform: matches reported and outcomes. */
  platforms: CasePlatform[];
  /** Finds in seized material, per investigation, newest first. */
  finds?: CaseFind[];
}

/** The images were taken before the person was 18: platforms handle these first. */
export type Category = "minor";

/** The category's keyword. */
export type CategorySpecification = "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING";

/** What kind of content it was. */
export type ContentType = "CONTENT_TYPE_IMAGE" | "CONTENT_TYPE_VIDEO";

/** What filing a case answers: number and PIN, shown once. */
export interface CreatedCase {
  /** The case number. */
  case_number: string;
  /**
   * The PIN, shown only this once: the bank keeps only its argon2id
   * hash.
   */
  pin: string;
  /** When (RFC 3339). */
  created_at: string;
  /** Its hashes with their ids. */
  hashes: CaseHash[];
}

/** Why: the law, or the platform's terms. */
export type DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT" | "DECISION_GROUND_INCOMPATIBLE_CONTENT";

/** What the decision did to the content's visibility. */
export type DecisionVisibility = "DECISION_VISIBILITY_CONTENT_REMOVED" | "DECISION_VISIBILITY_CONTENT_DISABLED";

/** Every error answer: `{"error": code, "message": text}`. */
export interface ErrorBody {
  /** A short machine-readable word (`invalid_hex`, `locked`, ...). */
  error: string;
  /** What is wrong, for a person. */
  message: string;
  /**
   * The earlier report, when this platform already reported this
   * content for this hash (409).
   */
  report_id?: number | null;
}

/** One entry of the feed. */
export interface FeedEntry {
  /** Its place in the feed; pull again after the last one seen. */
  cursor: number;
  /** add or delete. */
  op: FeedOp;
  /**
   * The public id of a hash value: one entry per value, however many
   * cases hold it.
   */
  hash_id: number;
  /** Additions: the kind. */
  kind?: Kind;
  /** Additions: the role. */
  role?: Role;
  /**
   * Additions of PDQ hashes: what the hash is a hash of, a `BankLabel`
   * name (`pdq`, `trim`, `crop90`, ...). Text, so that a client reads the
   * names a newer bank may add.
   */
  label?: BankLabel;
  /** Additions: the hash, lower-case hex. */
  value?: string;
  /** Additions of PDQ hashes: the quality. */
  quality?: number;
  /** Additions from a `minor` case. */
  category?: Category;
  /**
   * Additions that came to this bank from another bank it follows (an
   * exchange): the id of the bank where the hash was filed. Absent for
   * the serving bank's own hashes (its page's `bank_id`).
   */
  origin?: string;
}

/** Addition or deletion. */
export type FeedOp = "add" | "delete";

/** A page of the feed. */
export interface FeedPage {
  /** Entries in cursor order. */
  entries: FeedEntry[];
  /** Pull again with `after` = this. */
  next_cursor: number;
  /** Whether more entries follow right now. */
  more: boolean;
  /**
   * The serving bank's random id: additions without an `origin` were
   * filed there. A bank following this one (an exchange) gives it as
   * their origin on its own feed, and ignores additions whose origin is
   * itself.
   */
  bank_id?: string;
  /**
   * The last cursor the feed has given so far: a reader whose cursor is
   * beyond it holds a checkpoint this feed never gave (the bank was
   * restored from a backup) and reads again from 0.
   */
  head_cursor?: number;
}

/** One feedback's result. */
export interface FeedbackRecorded {
  /** The hash value, as given. */
  hashValue: string;
  /** What became of it. */
  result: FeedbackResult;
  /**
   * The report that holds it, when recorded (the same report for every
   * feedback of this platform on this value).
   */
  reportId?: number | null;
}

/** What became of one feedback. */
export type FeedbackResult = "recorded" | "unknown_hash" | "ignored";

/** A page of `FetchHashes`. */
export interface FetchHashesResponse {
  /** Records in this page. */
  count: number;
  /** To read on while `hasMoreRecords`; null at the end. */
  nextPageToken?: string | null;
  /** The checkpoint to keep: the next fetch's `startTimestamp`. */
  nextSetTimestamp: number;
  /** Whether more records follow right now. */
  hasMoreRecords: boolean;
  /** The records, in release order. */
  hashRecords: StopNciiHashRecord[];
}

/**
 * What filing a find answers: its id. Filing the same hash under the
 * same reference again updates it.
 */
export interface FindRecorded {
  /** The find's id. */
  find_id: number;
}

/** A moment of a video. */
export interface FrameAt {
  /** The frame's number, from 0. */
  frame: number;
  /** Seconds from the start. */
  timestamp: number;
}

/** A hash a platform asks about. */
export interface HashQuery {
  /** pdq, md5, sha256 or vpdq. */
  kind: Kind;
  /**
   * The hash in hex; a video (vpdq) in the reference's text form, a line
   * `frame,quality,pdq-hex,seconds` per frame (at most 10,000 frames
   * over the request).
   */
  value: string;
  /**
   * PDQ only: what the query hash is a hash of, a `QueryLabel` name
   * (`pdq`, the default; `rot90`, `trim`, `screen`, `top80`, ...). It
   * decides which stored hashes it is compared with.
   */
  label?: QueryLabel;
}

/** Whether a hash takes part in matching and the feed. */
export type HashStatus = "active" | "suspended" | "withdrawn";

/** What `/healthz` answers: the process is up. */
export interface Health {
  /** Always `ok`. */
  status: string;
}

/** The kind of a hash. */
export type Kind = "pdq" | "md5" | "sha256" | "vpdq";

/** A match request. */
export interface MatchRequest {
  /** 1 to 1000 hashes. */
  hashes: HashQuery[];
  /**
   * The same radius for every compared pair of labels, 0 to 63; without
   * it, each pair's own (31).
   */
  radius?: number;
  /**
   * Video queries: the share of the query's frames (quality 50 and up,
   * each distinct hash once) that must be found in a stored video for a
   * match, above 0 and at most 1; 0.8 when not given, so that a clip cut
   * from a stored film matches it.
   */
  query_share?: number;
  /**
   * Video queries: the share of the stored video's frames that must be
   * found in the query, 0 to 1; 0 when not given (any).
   */
  stored_share?: number;
}

/** What a match request answers: per query, in query order. */
export interface MatchResponse {
  /** One per query. */
  results: QueryResult[];
}

/**
 * Frames found in each other: a frame of the query video, of the stored
 * video, or both.
 */
export interface MatchedFrame {
  /** The query's frame, when the query is a video. */
  query?: FrameAt;
  /**
   * The stored video's frame, when the stored hash is a video: the
   * nearest to the query's.
   */
  stored?: FrameAt;
  /** Bits that differ. */
  distance: number;
}

/** A stored hash a query matched. */
export interface MatchedHash {
  /** The public id of the stored hash's value. */
  hash_id: number;
  /** Its kind. */
  kind: Kind;
  /** Its role. */
  role: Role;
  /**
   * PDQ only: what the stored hash is a hash of, a `BankLabel` name.
   * Text, so that a client reads the names a newer bank may add.
   */
  label?: BankLabel;
  /**
   * The stored hash, lower-case hex; for a stored video, the PDQ hash of
   * its frame nearest to the query (the whole video is on the feed).
   */
  hash: string;
  /** Bits that differ (0 for MD5 and SHA-256). */
  distance: number;
  /** `minor` when its case is in that category; null otherwise. */
  category: null | Category;
  /**
   * Where a video is involved, the frames found, in the query's frame
   * order: a picture query that found a stored video gives the video's
   * frame; a video query gives each of its frames found, with the stored
   * video's nearest frame when the stored hash is a video.
   */
  frames?: MatchedFrame[];
  /** A video query that matched a stored video: the two shares. */
  shares?: Shares;
}

/** Hashes to add to a case (`POST /v1/cases/{number}/hashes`). */
export interface MoreHashes {
  /** 1 or more hashes; the case holds at most 500. */
  hashes: NewHash[];
}

/** A new case as a person files it (`POST /v1/cases`). */
export interface NewCase {
  /** 1 to 500 hashes. */
  hashes: NewHash[];
  /** `minor` when the images were taken before she was 18. */
  category?: Category;
}

/**
 * An investigator's find (`POST /v1/finds`): a bank hash found in material
 * seized in an investigation.
 */
export interface NewFind {
  /**
   * The matched hash's id: one the match API returned to this
   * investigator, or one it read from the feed.
   */
  hash_id: number;
  /**
   * The investigation's reference (e.g. `PV-2026-123`), which the
   * victim quotes when she contacts the unit: 1 to 100 characters,
   * letters, digits, spaces and `-_./:#`.
   */
  reference: string;
  /** The day the material was found or examined (`YYYY-MM-DD`). */
  found_on: string;
  /** How many files of the material matched the hash (1 to 1,000,000). */
  files: number;
}

/** A hash as a person submits it for her case. */
export interface NewHash {
  /** pdq, md5, sha256, or vpdq for a video. */
  kind: Kind;
  /**
   * The hash in hex: 64 digits (pdq, sha256) or 32 (md5); a video's vPDQ
   * hash in the reference's text form, a line
   * `frame,quality,pdq-hex,seconds` per frame (50 videos and 10,000
   * frames per case at most).
   */
  value: string;
  /** PDQ only, required there: its quality, at least 50. */
  quality?: number;
  /** plain (the default) or extra, for PDQ only. */
  role?: Role;
  /**
   * PDQ only: what it is a hash of, a `BankLabel` name: `pdq` (the
   * default) for the plain hash; required with role extra, and then the
   * part hashed (`trim`, `crop90`, `top80`, ...). MD5 and SHA-256 have
   * no label and are always plain.
   */
  label?: BankLabel;
}

/** A platform's report of a match. */
export interface NewReport {
  /**
   * The matched hash's id: one the match API returned to this platform,
   * or one it read from the feed.
   */
  hash_id: number;
  /**
   * The platform's own hash of the copy it found, in hex, of the stored
   * hash's kind; the bank computes the distance from it.
   */
  value: string;
  /**
   * PDQ only: what the platform's hash is a hash of, a `QueryLabel`
   * name (`pdq`, the default; `rot90`, `trim`, ...).
   */
  label?: QueryLabel;
  /**
   * Optional and not trusted: the bank computes the distance from
   * `value`.
   */
  distance?: number;
  /** The platform's own reference to the content (never shown to others). */
  content_ref: string;
}

/** What happened to reported content, as the platform says. */
export type Outcome = "removed" | "not_violating" | "pending_review";

/** What giving an outcome answers. */
export interface OutcomeRecorded {
  /** The report. */
  report_id: number;
  /** Its outcome now. */
  outcome: Outcome;
}

/** The outcome of a report, as its platform gives it. */
export interface OutcomeRequest {
  /** What became of the content. */
  outcome: Outcome;
  /**
   * For the statement of reasons of a removal: how automated the
   * decision was (the draft needs it).
   */
  automated_decision?: null | AutomatedDecision;
  /**
   * For the statement: picture or video, when the bank cannot tell
   * (a file's MD5 or SHA-256 is of either).
   */
  content_type?: null | ContentType;
  /**
   * For the statement: the EEA countries (two-letter codes) where the
   * content is restricted; everywhere when none.
   */
  territorial_scope?: string[];
  /** For the statement: when the content was posted (`YYYY-MM-DD`). */
  content_date?: string;
  /**
   * For the statement: when the restriction ends (`YYYY-MM-DD`); none
   * for a permanent removal.
   */
  end_date?: string;
}

/** PDQ only: what a query hash is a hash of: the whole image (pdq), turned or mirrored (rot90, flipx, ...), without uniform borders (trim), without a caption band (uncaption), the picture inside a screenshot (screen), a turned picture straightened (straight), or a fixed part (top80, bottom80, ...). */
export type QueryLabel = "pdq" | "trim" | "uncaption" | "screen" | "straight" | "rot90" | "rot180" | "rot270" | "flipx" | "flipy" | "flipplus1" | "flipminus1" | "crop95" | "crop90" | "crop80" | "crop85tl" | "crop85tr" | "crop85bl" | "crop85br" | "top80" | "bottom80";

/** What was found for one query. */
export interface QueryResult {
  /**
   * The query as asked (value in lower-case hex; a PDQ query with its
   * label, `pdq` when none was given).
   */
  query: HashQuery;
  /** Matching hashes: minor first, then nearest. */
  matches: MatchedHash[];
}

/** What `/readyz` answers: whether the bank can answer requests. */
export interface Readiness {
  /** The database answers. */
  database: boolean;
  /** The matcher is loaded. */
  matcher_loaded: boolean;
  /** `ready`, or `not_ready` (with 503). */
  status: string;
}

/** What a report answers. */
export interface ReportCreated {
  /** The report's id, for its outcome. */
  report_id: number;
}

/** plain: the plain hash of an image; extra: one of hashbank's additional hashes of it. */
export type Role = "plain" | "extra";

/** How much of two videos was found in each other. */
export interface Shares {
  /** The share of the query's frames found in the stored video, 0 to 1. */
  query: number;
  /** The share of the stored video's frames found in the query, 0 to 1. */
  stored: number;
}

/**
 * Where the decision came from: a platform's own hash matching is
 * voluntary.
 */
export type SourceType = "SOURCE_VOLUNTARY";

/**
 * A draft statement of reasons, in the Transparency Database API's fields.
 * It holds no personal data: no case number, no hash value, nothing of the
 * victim.
 */
export interface Statement {
  /** What was done to the content. */
  decision_visibility: DecisionVisibility[];
  /** Law or terms. */
  decision_ground: DecisionGround;
  /** With illegal content: the law relied on (at most 500 characters). */
  illegal_content_legal_ground?: string | null;
  /** With illegal content: why it is illegal (at most 2,000). */
  illegal_content_explanation?: string | null;
  /** With incompatible content: the terms' clause (at most 500). */
  incompatible_content_ground?: string | null;
  /** With incompatible content: why (at most 2,000). */
  incompatible_content_explanation?: string | null;
  /** Where the clause or the law is published. */
  decision_ground_reference_url?: string | null;
  /** Picture or video. */
  content_type: ContentType[];
  /** Cyber violence. */
  category: StatementCategory;
  /** Protection of minors, for a hash of a minor case. */
  category_addition?: StatementCategory[];
  /** Non-consensual image sharing. */
  category_specification: CategorySpecification[];
  /**
   * Where the restriction applies (EEA country codes), as the platform
   * states in its outcome; everywhere when empty.
   */
  territorial_scope?: string[];
  /**
   * When the content was posted (`YYYY-MM-DD`), as the platform states;
   * else the day it was reported.
   */
  content_date: string;
  /** When the restriction started (`YYYY-MM-DD`): the outcome's day. */
  application_date: string;
  /**
   * When the restriction ends (`YYYY-MM-DD`), as the platform states;
   * none for a permanent removal.
   */
  end_date_visibility_restriction?: string | null;
  /** The facts: the kind of hash, the distance, the bank, the review. */
  decision_facts: string;
  /** The platform's own matching. */
  source_type: SourceType;
  /** A hash match is automated detection. */
  automated_detection: YesNo;
  /** As the platform states in its outcome. */
  automated_decision: AutomatedDecision;
  /** The platform's unique id of the decision: its content reference. */
  puid: string;
}

/** The statement's category (and added categories). */
export type StatementCategory = "STATEMENT_CATEGORY_CYBER_VIOLENCE" | "STATEMENT_CATEGORY_PROTECTION_OF_MINORS";

/**
 * What a platform says once for the statements of all its removals
 * (`PUT /v1/statement-settings`): on which ground it removes matched
 * copies, and why.
 */
export interface StatementSettings {
  /** Removed (the default) or access disabled. */
  decision_visibility?: DecisionVisibility;
  /** Illegal content, or incompatible with the platform's terms. */
  decision_ground: DecisionGround;
  /**
   * Illegal content: the law relied on (e.g. the national article on
   * sharing intimate images without consent). Incompatible content: the
   * clause of the terms. At most 500 characters.
   */
  ground: string;
  /**
   * Why the content is illegal or incompatible. At most 2,000
   * characters.
   */
  explanation: string;
  /** Where the law or the clause is published (`https://`). */
  reference_url?: string | null;
}

/** A platform's feedback as a record carries it. */
export interface StopNciiFeedback {
  /** The feedback. */
  feedbackValue: StopNciiFeedbackValue;
  /** Tags the platform gave. */
  tags?: string[];
  /** Who gave it: the platform's name. */
  source?: string;
}

/** A platform's feedback on a hash, as StopNCII names it. */
export type StopNciiFeedbackValue = "Unknown" | "None" | "QualityUnknown" | "PendingReview" | "Blocked" | "NotBlocked" | "Withdrawn" | "Deleted";

/** One feedback of `SubmitFeedback`. */
export interface StopNciiHashFeedback {
  /** The hash value the feedback is on, hex, as a record gave it. */
  hashValue: string;
  /** The feedback. */
  feedbackValue: StopNciiFeedbackValue;
  /** Tags: accepted and not kept. */
  tags?: string[];
}

/** One hash value's state now. */
export interface StopNciiHashRecord {
  /** When the record was released to platforms (Unix seconds). */
  lastModtimestamp: number;
  /** What the value is a hash of. */
  signalType: StopNciiSignalType;
  /**
   * The hash, lower-case hex. For a withdrawn or deleted record, the
   * value the client must delete (kept sealed by the bank for the
   * window only, docs/erasure.md).
   */
  hashValue: string;
  /** Active, Withdrawn or Deleted. */
  hashStatus: StopNciiHashStatus;
  /** Always empty: the bank never gives a case number to a platform. */
  caseNumbers: Record<string, unknown>;
  /**
   * Always empty: feedback goes to the bank as reports, and a
   * platform's own reports are its own to keep.
   */
  CSPFeedbacks: StopNciiFeedback[];
}

/** Whether a record's hash is to be matched or deleted. */
export type StopNciiHashStatus = "Active" | "Withdrawn" | "Deleted";

/** What a record's value is a hash of, as StopNCII names it. */
export type StopNciiSignalType = "ImagePDQ" | "VideoMD5";

/** The body of `POST /v1/stopncii/SubmitFeedback`. */
export interface SubmitFeedbackRequest {
  /** How many feedbacks follow (checked when given). */
  count?: number | null;
  /** 1 to 1000 feedbacks. */
  hashFeedbacks: StopNciiHashFeedback[];
}

/** What `SubmitFeedback` answers. */
export interface SubmitFeedbackResponse {
  /** Feedbacks recorded. */
  count: number;
  /** Per feedback, in order. */
  results: FeedbackRecorded[];
}

/** What a withdrawal answers (`POST /v1/cases/{number}/withdraw`). */
export interface Withdrawn {
  /** The case number. */
  case_number: string;
  /** Always `withdrawn`. */
  status: CaseStatus;
  /** When. */
  withdrawn_at: string;
  /** Hashes erased. */
  hashes_erased: number;
}

/** The database's yes and no. */
export type YesNo = "Yes" | "No";
