-- mailproc: the full, current schema of a fresh database.
--
-- A new database is created by running this file once; PRAGMA user_version is
-- then set to the schema version the binary knows (see mailproc/sqlite/migrate.go).
-- An older database is brought up to date by the ordered migrations in that file,
-- never by re-running this one. Whoever changes this file must also append the
-- matching migration, or existing desks will not get the change; the migration
-- test compares an upgraded version-1 database with a fresh one.
--
-- Conventions, the same in every table:
--   * Times are INTEGER milliseconds since the Unix epoch, UTC. A time that is
--     not known or not reached yet (Go's zero time.Time) is NULL, never 0, so
--     "due_at IS NULL" reads as "nothing is due". Columns named *_at.
--   * "message_id" is always the Message-ID header value (without angle
--     brackets); "message_row_id" is always a messages.id row id.
--   * Lists and small records (addresses, references, notes, auto headers) are
--     JSON text, never NULL: '[]' or '{}' when empty. Addresses are
--     [{"name": "...", "addr": "local@domain"}]; "name" is left out when empty.
--   * Text is UTF-8 as SQLite TEXT; the adapter refuses anything else.
--   * Nothing here is ever deleted by mailproc: cases close, mail is kept.
--     Only retention and personal-data requests (mailproc retention, forget)
--     blank personal content in place and stamp redacted_at.

-- A case (kasus): one information request (informasi) or complaint (aduan).
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    -- The registration number read aloud on the phone: INF-2026-00042.
    number           TEXT    NOT NULL UNIQUE CHECK (number <> ''),
    kind             TEXT    NOT NULL CHECK (kind IN ('informasi', 'aduan')),
    state            TEXT    NOT NULL
                     CHECK (state IN ('baru', 'diakui', 'dijawab', 'selesai', 'dieskalasi')),
    -- 0 while no head has been told; 1 = Kepala Seksi, 2 = Kepala Bagian, ...
    escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
    citizen_addr     TEXT    NOT NULL DEFAULT '',
    citizen_name     TEXT    NOT NULL DEFAULT '',
    -- The subject of the mail that opened the case.
    subject          TEXT    NOT NULL DEFAULT '',
    opened_at        INTEGER NOT NULL,
    -- The promised time; NULL when nothing is due.
    due_at           INTEGER,
    escalate_at      INTEGER, -- when the next head is told if still unanswered; NULL: no escalation pending
    remind_at        INTEGER, -- when staff get their one reminder before the deadline; NULL: none pending
    first_answer_at  INTEGER,
    closed_at        INTEGER,
    -- An earlier case this one continues (a reply long after it was closed).
    linked_case_id   INTEGER REFERENCES cases (id),
    needs_followup   INTEGER NOT NULL DEFAULT 0 CHECK (needs_followup IN (0, 1)), -- #tindaklanjut: stays open after an answer
    -- When retention removed the case's mail content, or a personal-data
    -- request anonymised its citizen (mailproc retention, forget); NULL while
    -- the case is whole.
    redacted_at      INTEGER,
    -- Kept by the adapter: when the row was last written.
    updated_at       INTEGER NOT NULL,
    -- Where acknowledgements and answers go when it is not citizen_addr: the
    -- Reply-To of the mail that opened the case. '' for citizen_addr.
    reply_addr       TEXT    NOT NULL DEFAULT '',
    -- How the contact reached the desk (kanal): 'email' for a case opened by
    -- mail, another channel of the service standard for one staff
    -- registered with a #kanal mail.
    channel          TEXT    NOT NULL DEFAULT 'email' CHECK (channel <> ''),
    -- The telephone number or handle (Kontak:) of a contact staff
    -- registered; '' for a case opened by mail.
    contact          TEXT    NOT NULL DEFAULT '',
    -- The verdict (putusan) on the first answer, made once when it is known
    -- (the first answer, or the promise running out unanswered) and read by
    -- the month report, so a later change of calendar or kind never moves a
    -- past month. '' while undecided.
    verdict            TEXT    NOT NULL DEFAULT '' CHECK (verdict IN ('', 'tepat', 'terlambat')),
    verdict_kind       TEXT    NOT NULL DEFAULT '', -- the kind when judged
    verdict_promise_ms INTEGER,                      -- the promise in force, service time
    verdict_service_ms INTEGER,                      -- opening to first answer, service time; NULL while unanswered
    verdict_calendar   TEXT    NOT NULL DEFAULT '', -- version of calendar and promises ('migrasi:' prefix: judged at upgrade)
    verdict_at         INTEGER                      -- when judged
);

-- The escalation loop asks "which open cases are due before T".
CREATE INDEX cases_state_due ON cases (state, due_at);
-- Listings are newest first.
CREATE INDEX cases_opened ON cases (opened_at);
-- The escalation scheduler sleeps until the earliest of these.
CREATE INDEX cases_escalate ON cases (escalate_at) WHERE escalate_at IS NOT NULL;
CREATE INDEX cases_remind ON cases (remind_at) WHERE remind_at IS NOT NULL;
-- Answered cases still without a verdict (only those answered before the
-- upgrade that added verdicts): BackfillVerdicts judges them.
CREATE INDEX cases_undecided ON cases (id) WHERE verdict = '' AND first_answer_at IS NOT NULL;
-- The status page and /metrics count this month's answers and closings
-- (DeskFigures) and cases by kind and state without reading the table.
CREATE INDEX cases_kind_state ON cases (kind, state);
CREATE INDEX cases_opened_kind ON cases (opened_at, kind, escalation_level);
CREATE INDEX cases_first_answer ON cases (first_answer_at, due_at) WHERE first_answer_at IS NOT NULL;
CREATE INDEX cases_closed ON cases (closed_at, state) WHERE closed_at IS NOT NULL;
CREATE INDEX cases_escalated ON cases (escalation_level, state) WHERE escalation_level > 0;

-- The last registration sequence handed out per kind and year. A number is
-- never reused, even if its case were removed, so this is not derived from
-- cases.
CREATE TABLE case_counters (
    kind TEXT    NOT NULL CHECK (kind IN ('informasi', 'aduan')),
    year INTEGER NOT NULL CHECK (year > 0),
    last INTEGER NOT NULL CHECK (last > 0),
    PRIMARY KEY (kind, year)
);

-- Every mail taken from the desk mailbox, decoded. The raw bytes stay in the
-- archive (archive_path, sha256); bodies are not logged anywhere else.
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    -- Message-ID header, or a synthetic id derived from the content when the
    -- mail had none or another stored mail already holds its id
    -- (synthetic_id = 1). A copy of a stored mail (the same id, and the same
    -- bytes or sender, date, subject and text) is not stored again.
    message_id     TEXT    NOT NULL UNIQUE CHECK (message_id <> ''),
    synthetic_id   INTEGER NOT NULL DEFAULT 0 CHECK (synthetic_id IN (0, 1)),
    -- NULL while the mail belongs to no case.
    case_id        INTEGER REFERENCES cases (id),
    -- 'in': fetched from the desk mailbox. 'out': reserved for mail the desk
    -- sent itself that mailproc records from the Sent folder; mail mailproc
    -- sends goes through the outbox instead.
    direction      TEXT    NOT NULL DEFAULT 'in' CHECK (direction IN ('in', 'out')),
    from_addr      TEXT    NOT NULL DEFAULT '',
    from_name      TEXT    NOT NULL DEFAULT '',
    sender_addr    TEXT    NOT NULL DEFAULT '',
    sender_name    TEXT    NOT NULL DEFAULT '',
    reply_to       TEXT    NOT NULL DEFAULT '[]', -- JSON address list
    to_addrs       TEXT    NOT NULL DEFAULT '[]', -- JSON address list
    cc_addrs       TEXT    NOT NULL DEFAULT '[]', -- JSON address list
    subject        TEXT    NOT NULL DEFAULT '',
    -- The Date header; NULL if missing or unreadable.
    date           INTEGER,
    in_reply_to    TEXT    NOT NULL DEFAULT '[]', -- JSON list of message ids
    refs           TEXT    NOT NULL DEFAULT '[]', -- JSON list of message ids, oldest first
    -- JSON of mailproc.AutoHeaders: {"auto_submitted", "precedence",
    -- "list_headers", "x_auto_response_suppress", "has_x_auto_response_suppress",
    -- "return_path", "content_type", "report_type"}.
    auto           TEXT    NOT NULL DEFAULT '{}',
    auth_results   TEXT    NOT NULL DEFAULT '[]', -- JSON list of raw header values, top first
    -- Plain text in UTF-8, bounded in size by the parser.
    text           TEXT    NOT NULL DEFAULT '',
    text_truncated INTEGER NOT NULL DEFAULT 0 CHECK (text_truncated IN (0, 1)),
    from_html      INTEGER NOT NULL DEFAULT 0 CHECK (from_html IN (0, 1)),
    notes          TEXT    NOT NULL DEFAULT '[]', -- JSON list: what the parser worked around
    size           INTEGER NOT NULL DEFAULT 0,    -- raw size in bytes
    sha256         TEXT    NOT NULL DEFAULT '',   -- hex digest of the raw bytes
    archive_path   TEXT    NOT NULL DEFAULT '',   -- raw .eml, relative to the data dir
    -- Where the mail was first found; every later sighting is in deliveries.
    mailbox        TEXT    NOT NULL DEFAULT '',
    uidvalidity    INTEGER NOT NULL DEFAULT 0,
    uid            INTEGER NOT NULL DEFAULT 0,
    arrived_at     INTEGER,          -- the server's INTERNALDATE
    received_at    INTEGER NOT NULL, -- when mailproc stored it
    -- The hash chain (mailproc/chain.go): SHA-256 of the redactable content
    -- (addresses, names, subject, text), and of the previous row's hash, the
    -- fixed fields and that digest. Set by the adapter in the inserting
    -- transaction.
    digest         TEXT    NOT NULL DEFAULT '',
    hash           TEXT    NOT NULL DEFAULT '',
    -- When the personal content was redacted (retention, forget): the row is
    -- then checked against digest only, and its archive file may be gone.
    redacted_at    INTEGER
);

CREATE INDEX messages_case ON messages (case_id);

-- Files carried by a message, in MIME order. The bytes stay in the archive.
CREATE TABLE attachments (
    message_row_id INTEGER NOT NULL REFERENCES messages (id),
    idx            INTEGER NOT NULL CHECK (idx >= 0),
    filename       TEXT    NOT NULL DEFAULT '',
    content_type   TEXT    NOT NULL DEFAULT '',
    size           INTEGER NOT NULL DEFAULT 0, -- decoded size in bytes
    part           TEXT    NOT NULL DEFAULT '', -- MIME part path (IMAP numbering) in the raw mail
    PRIMARY KEY (message_row_id, idx)
);

-- A case's log: who did what, when and why. Rows are only ever appended.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    at             INTEGER NOT NULL,
    actor          TEXT    NOT NULL CHECK (actor <> ''), -- 'sistem' or an e-mail address
    type           TEXT    NOT NULL CHECK (type <> ''),  -- mailproc.EventType
    detail         TEXT    NOT NULL DEFAULT '',
    message_row_id INTEGER REFERENCES messages (id),     -- the mail it is about, if any
    -- The hash chain, as in messages: digest of actor and detail, and the
    -- link to the previous event.
    digest         TEXT    NOT NULL DEFAULT '',
    hash           TEXT    NOT NULL DEFAULT '',
    redacted_at    INTEGER -- when actor and detail were redacted
);

CREATE INDEX events_case ON events (case_id);

-- Every mail found on the IMAP server, by where it was found, and what became
-- of it. Checked before a mail is fetched, so one UID is never handled twice,
-- even after a crash between commit and the move on the server.
CREATE TABLE deliveries (
    mailbox        TEXT    NOT NULL,
    uidvalidity    INTEGER NOT NULL,
    uid            INTEGER NOT NULL,
    -- The stored message; NULL when quarantined.
    message_row_id INTEGER REFERENCES messages (id),
    disposition    TEXT    NOT NULL CHECK (disposition IN ('stored', 'duplicate', 'quarantined')),
    at             INTEGER NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
);

-- Mail that could not become a case, and why. Ops is told; the raw bytes are
-- kept in the archive (archive_path may be '' if even that failed).
CREATE TABLE quarantine (
    id           INTEGER PRIMARY KEY,
    mailbox      TEXT    NOT NULL DEFAULT '',
    uidvalidity  INTEGER NOT NULL DEFAULT 0,
    uid          INTEGER NOT NULL DEFAULT 0,
    arrived_at   INTEGER,                     -- the server's INTERNALDATE
    message_id   TEXT    NOT NULL DEFAULT '', -- '' if it could not be read
    sha256       TEXT    NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    archive_path TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);

-- The intake's bookmark per IMAP mailbox: every UID up to last_uid under
-- this uidvalidity has been handled.
CREATE TABLE mailbox_state (
    mailbox     TEXT    PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL
);

-- Message-IDs of mail mailproc sent (acknowledgements, answers,
-- notifications, escalations), so that a reply to one of them, which
-- references only our id, finds its case.
CREATE TABLE outgoing_ids (
    message_id TEXT    PRIMARY KEY CHECK (message_id <> ''),
    case_id    INTEGER NOT NULL REFERENCES cases (id)
);

-- The outbox: every mail mailproc sends, queued in the transaction that
-- decides to send it and kept for good. A row holds everything needed to send
-- the mail again exactly the same way (its Message-ID and Date included), so
-- a retry after a crash is the same mail. state moves only forward:
-- pending -> sent, or pending -> failed; a sent mail is never sent again.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    -- The case the mail is about; NULL for some ops notices.
    case_id      INTEGER REFERENCES cases (id),
    purpose      TEXT    NOT NULL CHECK (purpose IN ('ack', 'answer', 'notify',
                             'confirm', 'help', 'escalation', 'closing', 'ops')),
    -- Our own Message-ID, without angle brackets.
    message_id   TEXT    NOT NULL UNIQUE CHECK (message_id <> ''),
    from_addr    TEXT    NOT NULL DEFAULT '',
    from_name    TEXT    NOT NULL DEFAULT '',
    to_addrs     TEXT    NOT NULL DEFAULT '[]', -- JSON address list
    cc_addrs     TEXT    NOT NULL DEFAULT '[]', -- JSON address list
    subject      TEXT    NOT NULL DEFAULT '',
    -- One message id without brackets; '' when the mail answers none.
    in_reply_to  TEXT    NOT NULL DEFAULT '',
    refs         TEXT    NOT NULL DEFAULT '[]', -- JSON list of message ids, oldest first
    -- The Date header, chosen when the mail is queued.
    date         INTEGER NOT NULL,
    text         TEXT    NOT NULL DEFAULT '', -- text/plain body
    html         TEXT    NOT NULL DEFAULT '', -- text/html alternative; '' if none
    -- JSON list of the files to attach, each a part of an archived mail:
    -- [{"filename", "content_type", "size", "archive_path", "part"}]. The
    -- sender reads the bytes from the archive when it builds the mail.
    attachments  TEXT    NOT NULL DEFAULT '[]',
    state        TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sent', 'failed')),
    -- Delivery attempts made so far.
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When to try next: set exactly while the mail is pending.
    next_attempt INTEGER CHECK ((state = 'pending') = (next_attempt IS NOT NULL)),
    -- The last failure, as the SMTP adapter put it; '' if none.
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    -- When the server accepted it: set exactly when the mail is sent.
    sent_at      INTEGER CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    -- When the copy reached the desk's Sent folder; NULL until then.
    copied_at    INTEGER CHECK (copied_at IS NULL OR state = 'sent'),
    -- The bytes that were sent, kept only while their Sent-folder copy is
    -- still to be made (the first append failed); NULL otherwise.
    raw          BLOB    CHECK (raw IS NULL OR (state = 'sent' AND copied_at IS NULL)),
    -- A staff notification of a burst (mailproc/digest_burst.go): 1 while
    -- it is held for the burst digest, 2 once released; 0 for every other
    -- mail. Non-zero sorts it after every other lane.
    burst        INTEGER NOT NULL DEFAULT 0 CHECK (burst IN (0, 1, 2)),
    -- A held staff notification queued unrendered (mailproc.HeldNotify):
    -- the stored mail it is rendered from when the postman picks it up,
    -- with render_flags (1: a follow-up, 2: the case was reopened). NULL
    -- and 0 once it is rendered, and for every other mail.
    render_message INTEGER REFERENCES messages (id),
    render_flags   INTEGER NOT NULL DEFAULT 0 CHECK (render_flags BETWEEN 0 AND 3)
);

-- The sender loop asks "which pending mail is due by T" and "when is the
-- next one due". Queries must spell state = 'pending' literally for SQLite
-- to use a partial index.
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 'pending';
-- The postman reads the due mail lane by lane (mailproc.Lane: citizen 0,
-- staff and heads 1, ops 2, held for a burst digest 3), in id order; the
-- expression is the one the query spells (sqlite/outbox.go laneOrder), or
-- SQLite would not use the index.
CREATE INDEX outbox_pending_lane ON outbox ((CASE WHEN burst <> 0 THEN 3 ELSE CASE purpose WHEN 'ack' THEN 0 WHEN 'answer' THEN 0 WHEN 'closing' THEN 0 WHEN 'ops' THEN 2 ELSE 1 END END), id, next_attempt)
    WHERE state = 'pending';
-- Mail whose Sent-folder copy is still to be made, in the order it was sent.
CREATE INDEX outbox_copy_pending ON outbox (sent_at)
    WHERE state = 'sent' AND copied_at IS NULL AND raw IS NOT NULL;
-- Counts per purpose over time (acknowledgements today, reports).
CREATE INDEX outbox_purpose_created ON outbox (purpose, created_at);
-- A case's outgoing mail.
CREATE INDEX outbox_case ON outbox (case_id);
-- The notifications held for a burst digest.
CREATE INDEX outbox_burst_held ON outbox (created_at) WHERE burst = 1;

-- Every To address of an outbox mail, lower-cased, one row each. The cap on
-- acknowledgements per sender per day counts outbox mail "to this address",
-- and to_addrs is JSON, which no index reaches. A single first_to column
-- would count only the first To address; this table counts any of them, and
-- the count is one search of its key (addr, outbox_id) followed by row-id
-- lookups of the few outbox rows to that address. Rows are written with the
-- outbox row and never change.
CREATE TABLE outbox_rcpts (
    addr      TEXT    NOT NULL CHECK (addr <> ''),
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    PRIMARY KEY (addr, outbox_id)
) WITHOUT ROWID;

-- Satisfaction (IKM/SKM): a citizen's answer to the closing mail, 1 (sangat
-- tidak puas) to 4 (sangat puas), with an optional comment.
CREATE TABLE ratings (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4),
    comment        TEXT    NOT NULL DEFAULT '',
    at             INTEGER NOT NULL,
    message_row_id INTEGER REFERENCES messages (id)
);
CREATE INDEX ratings_case ON ratings (case_id);

-- Tokens (signed Message-IDs of mail to staff and heads) that stopped
-- authorising anything: a copy of the mail that carried one in its
-- References or In-Reply-To was addressed to someone who is neither staff
-- nor a head (an answer straight to the citizen), so that person holds it.
CREATE TABLE revoked_tokens (
    message_id TEXT    PRIMARY KEY CHECK (message_id <> ''),
    case_id    INTEGER REFERENCES cases (id),
    revoked_at INTEGER NOT NULL,
    reason     TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
-- The desk's own state, one row per key, written once: "auth_stamp_seen"
-- (desk.require_auth = "auto" saw the desk server's Authentication-Results
-- on a staff reply with a valid token: value says which mail), and
-- "ack_budget:<hour>" (the desk-wide acknowledgement budget ran out in that
-- hour and ops was told), and "digest:<name>" (a once-a-day digest went out,
-- e.g. "digest:unlinked 2026-12-05", the ops list of mail stored on no case).
CREATE TABLE desk_state (
    key   TEXT    PRIMARY KEY,
    value TEXT    NOT NULL DEFAULT '',
    at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Ops notices are coalesced per kind (the notice's template): when the last
-- of a kind went out (ops_notice_sent), and the notices held back since,
-- which go out as one digest after desk.ops_notice_interval.
CREATE TABLE ops_notice_sent (
    kind TEXT    PRIMARY KEY,
    at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE ops_notice_held (
    id      INTEGER PRIMARY KEY,
    kind    TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    subject TEXT    NOT NULL DEFAULT '',
    text    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ops_notice_held_kind ON ops_notice_held (kind, id);
-- Addresses that reported the desk's mail as spam (an ARF feedback report):
-- they get no more acknowledgements. `mailproc suppressions` lists and removes.
CREATE TABLE suppressions (
    addr           TEXT    PRIMARY KEY COLLATE NOCASE CHECK (addr <> ''),
    reason         TEXT    NOT NULL DEFAULT '',
    message_row_id INTEGER REFERENCES messages (id), -- the report that put it here
    at             INTEGER NOT NULL
);

-- Every retention or personal-data run (mailproc retention, forget): who ran
-- it, when, and how many cases and stored mails it changed. It never names
-- the forgotten address; each changed case also has an event.
CREATE TABLE redactions (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL CHECK (actor <> ''),
    reason   TEXT    NOT NULL CHECK (reason IN ('retensi', 'data_pribadi')),
    cases    INTEGER NOT NULL DEFAULT 0,
    messages INTEGER NOT NULL DEFAULT 0
);
