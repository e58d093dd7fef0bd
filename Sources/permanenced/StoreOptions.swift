import ArgumentParser
import Foundation
import PermanenceCore
import SystemdSupport
import PermanenceStore

/// Options shared by every command that uses the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml).")
    var config: String?

    @Option(help: "SQLite store (default: [store] path in the configuration).")
    var store: String?

    /// The rule set and the opened store. Commands that only read refuse to create a store that is not there.
    /// `writing: false` for commands that only read: they never recompute stored deadlines (nor write an
    /// audit entry) because the rules they were given differ from the store's.
    func open(creating: Bool = true, writing: Bool = true) throws -> (RuleSet, Store) {
        let set = try loadRuleSet(config)
        let path = store ?? set.configuration.storePath
        if !creating && !FileManager.default.fileExists(atPath: path) {
            throw Failure.report("no store at \(path): import data first (permanenced import), or give --store", status: 1)
        }
        do {
            let store = try Store(path: path, ruleSet: set, recomputing: writing, auditHeads: AuditHeadJournal.sink)
            if !writing, !(try store.rulesAreCurrent()) {
                FileHandle.standardError.write(Data(
                    "note: the stored deadlines were computed with other rules than \(config ?? "the configuration"); the daemon, or the next import or record, recomputes them\n".utf8))
            }
            return (set, store)
        } catch {
            throw Failure.report("\(error)", status: 1)
        }
    }
}

/// Who is making a change, for the audit log (`AuditActor.person`).
func actor() -> String { AuditActor.person() }

/// Runs a store operation, turning its refusal into a clear error with status 2 (nothing was changed).
func refusing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as Store.Failure {
        throw Failure.report("\(error.description); nothing was changed", status: 2)
    }
}

/// Parses a date-time option into an instant (a date means its start).
func instantOption(_ text: String?, _ option: String, zone: ZoneRules, default fallback: Instant) throws -> Instant {
    guard let text else { return fallback }
    return try parseTime(text, option: option, zone: zone)
}

/// Parses a date option.
func dateOption(_ text: String, _ option: String, zone: ZoneRules) throws -> LocalDate {
    guard case .date(let d)? = try? TimePoint.parse(text, zone: zone) else {
        throw Failure.report("\(option): '\(text)' is not a date YYYY-MM-DD", status: 2)
    }
    return d
}
