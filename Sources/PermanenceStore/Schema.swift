import GRDB
import PermanenceCore

/// Versioned schema migrations. A file at any earlier version is upgraded in place when opened.
enum Schema {
    /// Identifiers in order; each names what it adds.
    static let versions = ["v1-cases-events-deadlines-audit", "v2-notifications", "v3-open-deadline-indexes",
        "v4-daemon-outbox", "v5-mail-outbox",
        "v6-structured-recipients", "v7-worker-display-name", "v8-notification-next-at",
        "v9-covering-agenda-indexes", "v10-one-assignment-index"]

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration(versions[0]) { db in
            try db.execute(sql: """
                CREATE TABLE worker (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    email TEXT,
                    roles TEXT NOT NULL DEFAULT '',
                    manager_id TEXT REFERENCES worker(id)
                );
                CREATE INDEX worker_manager ON worker(manager_id);
                CREATE TABLE absence (
                    id INTEGER PRIMARY KEY,
                    worker_id TEXT NOT NULL REFERENCES worker(id),
                    starts_on TEXT NOT NULL,
                    ends_on TEXT NOT NULL,
                    deputy_id TEXT REFERENCES worker(id)
                );
                CREATE INDEX absence_worker ON absence(worker_id);
                CREATE TABLE child_case (
                    ref TEXT PRIMARY KEY NOT NULL,
                    initials TEXT,
                    plan TEXT NOT NULL,
                    calendar TEXT NOT NULL,
                    packs TEXT NOT NULL DEFAULT '',
                    opened_at INTEGER,
                    closed_at INTEGER
                );
                CREATE TABLE assignment (
                    id INTEGER PRIMARY KEY,
                    case_ref TEXT NOT NULL REFERENCES child_case(ref),
                    role TEXT NOT NULL,
                    worker_id TEXT NOT NULL REFERENCES worker(id),
                    from_at INTEGER NOT NULL,
                    to_at INTEGER,
                    UNIQUE (case_ref, role, worker_id, from_at)
                );
                CREATE INDEX assignment_case ON assignment(case_ref, role);
                CREATE TABLE event (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    case_ref TEXT NOT NULL REFERENCES child_case(ref),
                    kind TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    date_only INTEGER NOT NULL DEFAULT 0,
                    note TEXT,
                    source TEXT NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    supersedes TEXT
                );
                CREATE INDEX event_case ON event(case_ref, at);
                CREATE TABLE withdrawal (
                    event_id TEXT PRIMARY KEY NOT NULL REFERENCES event(id),
                    at INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL
                );
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE TABLE deadline (
                    case_ref TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    anchor_event TEXT NOT NULL,
                    cycle INTEGER NOT NULL,
                    due_at INTEGER,
                    exact INTEGER NOT NULL DEFAULT 0,
                    met_event TEXT,
                    met_at INTEGER,
                    moot_event TEXT,
                    moot_at INTEGER,
                    owner_worker TEXT,
                    reason TEXT,
                    PRIMARY KEY (case_ref, rule_id, anchor_event, cycle)
                ) WITHOUT ROWID;
                CREATE INDEX deadline_due ON deadline(due_at);
                CREATE INDEX deadline_owner ON deadline(owner_worker, due_at);
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
        }
        m.registerMigration(versions[1]) { db in
            // What has been notified: the daemon's outbox writes here; explain shows it.
            try db.execute(sql: """
                CREATE TABLE notification (
                    key TEXT PRIMARY KEY NOT NULL,
                    case_ref TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    due_at INTEGER,
                    planned_at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    sent_at INTEGER,
                    recipients TEXT NOT NULL
                );
                CREATE INDEX notification_case ON notification(case_ref, planned_at);
                """)
        }
        m.registerMigration(versions[2]) { db in
            // Agendas ask for open deadlines: index those (never met or moot) apart from the closed history.
            try db.execute(sql: """
                ALTER TABLE deadline ADD COLUMN closes_at INTEGER;
                UPDATE deadline SET closes_at = CASE
                    WHEN met_at IS NULL THEN moot_at
                    WHEN moot_at IS NULL THEN met_at
                    ELSE min(met_at, moot_at) END;
                DROP INDEX deadline_due;
                DROP INDEX deadline_owner;
                CREATE INDEX deadline_open_due ON deadline(due_at) WHERE closes_at IS NULL;
                CREATE INDEX deadline_open_owner ON deadline(owner_worker, due_at) WHERE closes_at IS NULL;
                CREATE INDEX deadline_closing ON deadline(closes_at) WHERE closes_at IS NOT NULL;
                """)
        }
        m.registerMigration(versions[3]) { db in
            // The daemon: which cases changed since it last looked (a revision bumped whenever a case's
            // deadlines are recomputed), and the notification table as a durable outbox.
            try db.execute(sql: """
                ALTER TABLE child_case ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX case_revision ON child_case(revision);
                ALTER TABLE notification ADD COLUMN exact INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE notification ADD COLUMN severity TEXT NOT NULL DEFAULT 'routine';
                ALTER TABLE notification ADD COLUMN owner TEXT;
                ALTER TABLE notification ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE notification ADD COLUMN queued_at INTEGER;
                ALTER TABLE notification ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE notification ADD COLUMN last_error TEXT;
                CREATE INDEX notification_outbox ON notification(planned_at) WHERE state IN ('pending', 'delivering');
                """)
        }
        m.registerMigration(versions[4]) { db in
            // Email: each notification once per worker (mail_item, with the moment it should go), and the
            // composed messages with their delivery state (mail).
            try db.execute(sql: """
                CREATE TABLE mail_item (
                    worker TEXT NOT NULL,
                    key TEXT NOT NULL,
                    send_at INTEGER NOT NULL,
                    immediate INTEGER NOT NULL DEFAULT 0,
                    mail_id INTEGER,
                    PRIMARY KEY (worker, key)
                ) WITHOUT ROWID;
                CREATE INDEX mail_item_waiting ON mail_item(send_at) WHERE mail_id IS NULL;
                CREATE TABLE mail (
                    id INTEGER PRIMARY KEY,
                    worker TEXT,
                    address TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    message BLOB NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    not_before INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    sent_at INTEGER,
                    last_error TEXT
                );
                CREATE INDEX mail_outbox ON mail(not_before) WHERE state IN ('pending', 'sending');
                """)
        }
        m.registerMigration(versions[5]) { db in
            // Recipients as a JSON array of {role, worker} (a joined `role=worker,...` string split wrongly on a
            // worker id with a comma in it), and where each notification was delivered (journal or stderr).
            try db.execute(sql: "ALTER TABLE notification ADD COLUMN delivered_to TEXT")
            for row in try Row.fetchAll(db, sql: "SELECT key, recipients FROM notification") {
                try db.execute(sql: "UPDATE notification SET recipients = ? WHERE key = ?",
                               arguments: [Store.encodeRecipients(Store.legacyRecipients(row[1])), row[0] as String])
            }
        }
        m.registerMigration(versions[6]) { db in
            // The name emails greet a worker by, as the admin writes it ("Sam Okafor"), where `name` may be the
            // directory's ("Okafor, Sam (Team A)").
            try db.execute(sql: "ALTER TABLE worker ADD COLUMN display_name TEXT")
        }
        m.registerMigration(versions[7]) { db in
            // When the deadline's next notice was planned, as known when a notification was queued: an email
            // held by quiet hours never goes after it.
            try db.execute(sql: "ALTER TABLE notification ADD COLUMN next_at INTEGER")
        }
        m.registerMigration(versions[8]) { db in
            // Agendas read every open deadline due by a moment (a whole authority's: 250,000 rows): indexes
            // that hold every column they read, in the order they list them, so no row of the table is visited.
            // `closes_at` is in them although always NULL there: without it SQLite reads the table row of
            // every entry to check the partial index's own condition (twenty times slower). The deadlines met or
            // moot after the moment asked about (a few thousand) are read from `deadline_closing` alone too.
            try db.execute(sql: """
                DROP INDEX deadline_open_due;
                DROP INDEX deadline_open_owner;
                CREATE INDEX deadline_open_agenda ON deadline(due_at, case_ref, rule_id, exact, owner_worker, closes_at)
                    WHERE closes_at IS NULL;
                CREATE INDEX deadline_open_owner_agenda ON deadline(owner_worker, due_at, case_ref, rule_id, exact, closes_at)
                    WHERE closes_at IS NULL;
                DROP INDEX deadline_closing;
                CREATE INDEX deadline_closing ON deadline(closes_at, due_at, owner_worker, exact) WHERE closes_at IS NOT NULL;
                """)
        }
        m.registerMigration(versions[9]) { db in
            // `UNIQUE (case_ref, role, worker_id, from_at)` already gives an index that begins with the case and
            // the role: a second on those two cost every assignment written (five for each case a cases file
            // opens) an index entry that no query needed.
            try db.execute(sql: "DROP INDEX IF EXISTS assignment_case")
        }
        return m
    }
}
