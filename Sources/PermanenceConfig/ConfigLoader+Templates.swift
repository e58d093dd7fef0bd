import Foundation
import PermanenceCore
import PermanenceMail

extension ConfigLoader {
    /// Reads and checks the email templates named by `[email] templates` (relative to the configuration file).
    public static func templates(ruleSet: RuleSet, configPath: String) throws -> MailTemplates {
        let dir = ruleSet.configuration.email.templates
        let base = (configPath as NSString).deletingLastPathComponent
        let path = dir.hasPrefix("/") || base.isEmpty ? dir : "\(base)/\(dir)"
        var files: [String: SourceFile?] = [:]
        var unreadable: [String] = []
        let shipped = shippedDirectory(ruleSet.configuration, configPath: configPath).map { "\($0)/templates" }
        for name in MailTemplates.names {
            let file = layered("\(path)/\(name).mustache", shipped.map { "\($0)/\(name).mustache" })
            do {
                files[name] = try read(file)
            } catch {
                // Missing is one problem (MailTemplates says so); there but unreadable or not UTF-8 another.
                if FileManager.default.fileExists(atPath: file) { unreadable.append("\(error)") } else { files[name] = .some(nil) }
            }
        }
        if !unreadable.isEmpty { throw MailTemplates.Problems(messages: unreadable) }
        return try MailTemplates.parse(files, directory: path)
    }

}
