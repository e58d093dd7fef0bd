import PermanenceCore
import PermanenceStore
import Prometheus
import Synchronization

/// The daemon's figures for Prometheus, in one registry: counters the daemon bumps as things happen
/// (evaluations, deliveries, relay failures) and gauges set from the store's `Figures` at each scrape.
///
/// Every label value comes from a closed set (a nation, a state, a target, an outcome, a failure's kind):
/// never a case reference, a name, a worker or an address. Thread-safe (the registry's own locks), so the
/// daemon's queue bumps counters while the listener renders.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    /// Where a notification or an email went.
    public enum Target: String, Sendable, CaseIterable {
        case journal, stderr, email
    }

    /// What became of one delivery attempt.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Written to the journal (or stderr), or accepted by the relay.
        case delivered
        /// Failed for now; tried again later.
        case retry
        /// Failed for good (an email given up after its retries, or refused permanently); the admin is told.
        case givenUp = "given_up"
    }

    /// What kind of evaluation.
    public enum Evaluation: String, Sendable, CaseIterable {
        /// The cases that changed or came due, on a wake-up.
        case step
        /// Every open case, off the daemon's queue (a start, a reload, a large import).
        case rebuild
    }

    private let openCases: [Jurisdiction: Gauge]
    private let deadlines: [Store.DeadlineKey: Gauge]
    private let outboxPending, outboxRetrying, outboxOldestAge: Gauge
    private let mailQueued, mailRetrying, mailOldestAge, mailGivenUp, mailItemsWaiting, relayRefusing: Gauge
    private let storeSize, nextWake, lastEvaluation, sinceLastEvaluation, heartbeatAt: Gauge
    private let deliveries: [String: Counter]
    private let relayFailures: [String: Counter]
    private let evaluations: [Evaluation: Counter]
    private let casesEvaluated: Counter
    private let evaluationSeconds: [Evaluation: ValueHistogram]
    private let storeReadFailures: Counter
    private let version: String
    private let build = Mutex<Gauge?>(nil)
    /// When the last evaluation succeeded (set on the daemon's queue, read at a scrape).
    private let lastEvaluationAt = Mutex<Instant?>(nil)

    /// The kinds of relay failure, as `SMTPError.category` names them.
    public static let relayFailureKinds = ["auth", "tls", "connection", "timeout", "rejected", "protocol", "message"]

    public init(version: String, ruleSet: RuleSet) {
        func name(_ metric: String, _ unit: String = "", _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "permanenced", metricName: metric, unitName: unit, helpText: help)
        }
        let r = registry
        let nations = Jurisdiction.allCases
        let casesName = name("open_cases", "", "Open cases, by the nation whose law governs them.")
        openCases = Dictionary(uniqueKeysWithValues: nations.map { ($0, r.makeGauge(descriptor: casesName, labels: [("nation", $0.rawValue)])) })
        let deadlinesName = name("deadlines", "", "Open deadlines: overdue, due within 7 days, or that cannot be computed (contradictory records), by nation and whether their rule pack is statutory.")
        var d: [Store.DeadlineKey: Gauge] = [:]
        for state in Store.DeadlineState.allCases {
            for n in nations {
                for statutory in [true, false] {
                    d[Store.DeadlineKey(state: state, jurisdiction: n, statutory: statutory)] = r.makeGauge(
                        descriptor: deadlinesName, labels: [("state", state.rawValue), ("nation", n.rawValue), ("statutory", statutory ? "yes" : "no")])
                }
            }
        }
        deadlines = d
        outboxPending = r.makeGauge(descriptor: name("outbox_pending", "", "Notifications waiting to be written to the journal (or stderr)."), labels: [])
        outboxRetrying = r.makeGauge(descriptor: name("outbox_retrying", "", "Notifications whose last attempt to write them failed, waiting to be tried again."), labels: [])
        outboxOldestAge = r.makeGauge(descriptor: name("outbox_oldest_age", "seconds", "How long the oldest waiting notification has been due (0 when none waits)."), labels: [])
        mailQueued = r.makeGauge(descriptor: name("mail_queued", "", "Emails waiting to be sent (retries included)."), labels: [])
        mailRetrying = r.makeGauge(descriptor: name("mail_retrying", "", "Emails waiting to be tried again after a failed attempt."), labels: [])
        mailOldestAge = r.makeGauge(descriptor: name("mail_oldest_age", "seconds", "How long the oldest waiting email has waited (0 when none waits)."), labels: [])
        mailGivenUp = r.makeGauge(descriptor: name("mail_given_up", "", "Emails given up in the store's history (each one told to the admin)."), labels: [])
        mailItemsWaiting = r.makeGauge(descriptor: name("mail_items_waiting", "", "Notices held for a digest or the end of quiet hours."), labels: [])
        relayRefusing = r.makeGauge(descriptor: name("mail_relay_refusing", "", "1 while the relay refuses permanenced (login, TLS, no usable mechanism): no email goes out."), labels: [])
        storeSize = r.makeGauge(descriptor: name("store_size", "bytes", "The SQLite store and its write-ahead log."), labels: [])
        nextWake = r.makeGauge(descriptor: name("next_wakeup_timestamp", "seconds", "When the daemon next wakes to announce or send something (Unix time; 0: nothing planned). Far in the past means it has stopped working."), labels: [])
        heartbeatAt = r.makeGauge(descriptor: name("heartbeat_timestamp", "seconds", "When the daemon's queue last answered (at each scrape; Unix time). Not moving means the daemon hangs."), labels: [])
        lastEvaluation = r.makeGauge(descriptor: name("last_evaluation_timestamp", "seconds", "When the daemon last evaluated cases successfully (Unix time; 0: not since it started)."), labels: [])
        sinceLastEvaluation = r.makeGauge(descriptor: name("seconds_since_last_evaluation", "", "Seconds since the daemon last evaluated cases successfully, at the scrape."), labels: [])
        let deliveriesName = name("deliveries", "total", "Delivery attempts since the daemon started, by target (journal, stderr, email) and outcome.")
        var dl: [String: Counter] = [:]
        for t in Target.allCases {
            for o in Outcome.allCases {
                dl["\(t.rawValue)/\(o.rawValue)"] = r.makeCounter(descriptor: deliveriesName, labels: [("target", t.rawValue), ("outcome", o.rawValue)])
            }
        }
        deliveries = dl
        let relayName = name("relay_failures", "total", "Email batches the relay failed since the daemon started, by kind (auth, tls, connection, timeout, rejected, protocol, message).")
        relayFailures = Dictionary(uniqueKeysWithValues: Self.relayFailureKinds.map { ($0, r.makeCounter(descriptor: relayName, labels: [("kind", $0)])) })
        let evaluationsName = name("evaluations", "total", "Successful evaluations since the daemon started: a step (the cases that changed or came due) or a rebuild (every open case).")
        evaluations = Dictionary(uniqueKeysWithValues: Evaluation.allCases.map { ($0, r.makeCounter(descriptor: evaluationsName, labels: [("kind", $0.rawValue)])) })
        casesEvaluated = r.makeCounter(descriptor: name("cases_evaluated", "total", "Cases evaluated since the daemon started."), labels: [])
        let secondsName = name("evaluation_duration", "seconds", "How long each evaluation took.")
        let buckets = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30]
        evaluationSeconds = Dictionary(uniqueKeysWithValues: Evaluation.allCases.map {
            ($0, r.makeValueHistogram(descriptor: secondsName, labels: [("kind", $0.rawValue)], buckets: buckets))
        })
        storeReadFailures = r.makeCounter(descriptor: name("store_read_failures", "total", "Scrapes at which the store could not be read (the gauges kept their last values)."), labels: [])
        self.version = version
        rulesChanged(ruleSet)
    }

    /// The rules in force changed (a reload): `permanenced_build_info` names the new ones.
    public func rulesChanged(_ ruleSet: RuleSet) {
        let labels = [("version", version), ("rules_fingerprint", String(ruleSet.fingerprint.prefix(12))),
                      ("rules", String(ruleSet.rules.count)), ("time_zone", ruleSet.zone.identifier), ("tzdata", ruleSet.zone.source)]
        build.withLock { gauge in
            if let gauge { registry.unregisterGauge(gauge) }
            gauge = registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "permanenced", metricName: "build", unitName: "info",
                                                 helpText: "The running release, its rules (fingerprint of the packs in force) and time zone data: always 1."),
                labels: labels)
            gauge!.set(1.0)
        }
    }

    // MARK: What the daemon reports as it happens

    /// An evaluation succeeded at `at`.
    public func evaluated(_ kind: Evaluation, cases: Int, seconds: Double, at: Instant) {
        evaluations[kind]!.increment()
        casesEvaluated.increment(by: Int64(cases))
        evaluationSeconds[kind]!.record(seconds)
        lastEvaluationAt.withLock { $0 = at }
        lastEvaluation.set(Double(at.seconds))
    }

    /// `count` deliveries to `target` ended with `outcome`.
    public func delivered(_ target: Target, _ outcome: Outcome, count: Int = 1) {
        guard count > 0 else { return }
        deliveries["\(target.rawValue)/\(outcome.rawValue)"]!.increment(by: Int64(count))
    }

    /// A batch failed at the relay; `kind` is one of `relayFailureKinds` (anything else counts as `protocol`).
    public func relayFailed(kind: String) {
        (relayFailures[kind] ?? relayFailures["protocol"]!).increment()
    }

    /// The daemon's queue answered at `at`.
    public func heartbeat(_ at: Instant) {
        heartbeatAt.set(Double(at.seconds))
    }

    /// A scrape could not read the store.
    public func storeReadFailed() {
        storeReadFailures.increment()
    }

    /// The daemon's one timer is armed at `at` (nil: nothing planned).
    public func nextWakeup(_ at: Instant?) {
        nextWake.set(Double(at?.seconds ?? 0))
    }

    // MARK: At each scrape

    /// Sets the gauges from the store's figures as of `now`.
    public func update(_ f: Store.Figures, now: Instant) {
        for (n, g) in openCases { g.set(Double(f.openCases[n] ?? 0)) }
        for (k, g) in deadlines { g.set(Double(f.deadlines[k] ?? 0)) }
        func age(_ since: Instant?) -> Double { since.map { Double(max(0, now.seconds - $0.seconds)) } ?? 0 }
        outboxPending.set(Double(f.outboxPending))
        outboxRetrying.set(Double(f.outboxRetrying))
        outboxOldestAge.set(age(f.outboxOldest))
        mailQueued.set(Double(f.mailQueued))
        mailRetrying.set(Double(f.mailRetrying))
        mailOldestAge.set(age(f.mailOldest))
        mailGivenUp.set(Double(f.mailGivenUp))
        mailItemsWaiting.set(Double(f.mailItemsWaiting))
        relayRefusing.set(f.relayRefusing ? 1.0 : 0.0)
        storeSize.set(Double(f.sizeBytes))
        if let last = lastEvaluationAt.withLock({ $0 }) { sinceLastEvaluation.set(age(last)) }
    }

    /// The text exposition format (version 0.0.4), as `/metrics` serves it.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// The content type of `render()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
