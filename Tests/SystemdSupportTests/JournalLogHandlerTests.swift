import Logging
import PermanenceCore
import Testing

@testable import SystemdSupport

@Suite struct JournalLogHandlerTests {
    @Test func metadataKeysBecomeJournalFieldNames() {
        #expect(JournalLogHandler.fieldName("message-id") == "MESSAGE_ID")
        #expect(JournalLogHandler.fieldName("store") == "STORE")
        #expect(JournalLogHandler.fieldName("2fa.code") == "FA_CODE")
        #expect(JournalLogHandler.fieldName("-") == "FIELD")
    }

    @Test func levelsMapToSyslogPriorities() {
        #expect(JournalLogHandler.priority(.critical) == .critical)
        #expect(JournalLogHandler.priority(.warning) == .warning)
        #expect(JournalLogHandler.priority(.info) == .info)
        #expect(JournalLogHandler.priority(.trace) == .debug)
    }
}
