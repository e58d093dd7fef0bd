import PermanenceCore
import Testing
import TestSupport
@testable import PermanenceMail

@Suite struct MailTimingTests {
    func timing(_ edit: (inout EmailConfiguration) -> Void = { _ in }) throws -> MailTiming {
        let set = try shippedRuleSet()
        var c = EmailConfiguration()
        edit(&c)
        return MailTiming(config: c, zone: set.zone, calendar: set.calendars["england-and-wales"]!)
    }

    @Test func anEscalationGoesAtOnceWhateverItsSeverityNeverPastTheNextRung() throws {
        let t = try timing()
        let due = instant("2026-11-27T10:00")
        // Friday 27 Nov 2026, 10:00: a routine escalation goes now, not with Monday's digest.
        let friday = t.plan(severity: .routine, dueAt: due, now: instant("2026-11-27T10:00"), late: false, escalation: true)
        #expect(friday.sendAt == instant("2026-11-27T10:00") && friday.immediate)
        // Friday 19:30, in quiet hours: Monday 08:00, the next working morning...
        let evening = t.plan(severity: .routine, dueAt: due, now: instant("2026-11-27T19:30"), late: false, escalation: true,
                             nextNotice: instant("2026-12-01T09:00"))
        #expect(evening.sendAt == instant("2026-11-30T08:00"))
        // ...unless the next rung comes first: then no later than it.
        let capped = t.plan(severity: .routine, dueAt: due, now: instant("2026-11-27T19:30"), late: false, escalation: true,
                            nextNotice: instant("2026-11-28T09:00"))
        #expect(capped.sendAt == instant("2026-11-28T09:00") && capped.immediate)
        // Not an escalation, not immediate: the digest as before.
        #expect(t.plan(severity: .routine, dueAt: instant("2026-12-10T00:00"), now: instant("2026-11-27T10:00"), late: false).immediate == false)
    }

    @Test func routineItemsWaitForTheNextDigestOnAWorkingDay() throws {
        let t = try timing()
        // Monday 23 Nov 2026, 10:00: the next digest is Tuesday 08:30.
        #expect(t.sendAt(severity: .routine, dueAt: instant("2026-12-10T00:00"), now: instant("2026-11-23T10:00")) == instant("2026-11-24T08:30"))
        // Before 08:30 on a working day: the same morning.
        #expect(t.nextDigest(atOrAfter: instant("2026-11-24T07:00")) == instant("2026-11-24T08:30"))
        // Friday evening: Monday. Christmas Eve (a council closure) to Boxing Day and the weekend: Tuesday 29th.
        #expect(t.nextDigest(atOrAfter: instant("2026-11-27T18:00")) == instant("2026-11-30T08:30"))
        #expect(t.nextDigest(atOrAfter: instant("2026-12-23T12:00")) == instant("2026-12-29T08:30"))
    }

    @Test func digestsEveryDayWhenAsked() throws {
        let t = try timing { $0.digestOnEveryDay = true; $0.digestTimes = [8 * 3600, 16 * 3600] }
        #expect(t.nextDigest(atOrAfter: instant("2026-11-28T09:00")) == instant("2026-11-28T16:00"))  // a Saturday
    }

    @Test func aDigestNeverTakesAnItemPastItsDeadline() throws {
        let t = try timing()
        // Due at 15:00 today; the next digest is tomorrow: send now.
        let now = instant("2026-11-23T10:00")
        #expect(t.sendAt(severity: .routine, dueAt: instant("2026-11-23T15:00"), now: now) == now)
        // Already overdue: the digest is not "later than the deadline" in any way that helps; it waits.
        #expect(t.sendAt(severity: .routine, dueAt: instant("2026-11-20T00:00"), now: now) == instant("2026-11-24T08:30"))
    }

    @Test func urgentItemsGoAtOnceOutsideQuietHours() throws {
        let t = try timing()
        let now = instant("2026-11-23T14:00")
        #expect(t.sendAt(severity: .urgent, dueAt: instant("2026-11-25T14:00"), now: now) == now)
    }

    @Test func quietHoursDeferToTheNextWorkingMorning() throws {
        let t = try timing()
        // Monday 21:00 → Tuesday 08:00; 02:00 Tuesday → 08:00 Tuesday; Friday 20:00 → Monday 08:00.
        #expect(t.afterQuietHours(instant("2026-11-23T21:00")) == instant("2026-11-24T08:00"))
        #expect(t.afterQuietHours(instant("2026-11-24T02:00")) == instant("2026-11-24T08:00"))
        #expect(t.afterQuietHours(instant("2026-11-27T20:00")) == instant("2026-11-30T08:00"))
        #expect(t.sendAt(severity: .urgent, dueAt: instant("2026-11-30T12:00"), now: instant("2026-11-27T20:00")) == instant("2026-11-30T08:00"))
    }

    @Test func quietHoursNeverMakeAnItemLate() throws {
        let t = try timing()
        // Due at 23:00 tonight: deferring to the morning would be too late, so it goes now.
        let now = instant("2026-11-23T21:00")
        #expect(t.sendAt(severity: .urgent, dueAt: instant("2026-11-23T23:00"), now: now) == now)
    }

    @Test func quietHoursAcrossTheClockChange() throws {
        let t = try timing()
        // The night the clocks go back (25 Oct 2026): 08:00 is still 08:00 local, now GMT.
        let morning = t.afterQuietHours(instant("2026-10-24T22:00"))
        #expect(morning == instant("2026-10-26T08:00"))  // Sunday is not a working day
        #expect(ZoneRules.europeLondon.localDateTime(at: morning).hour == 8)
    }

    @Test func noQuietHoursWhenUnset() throws {
        let t = try timing { $0.quietStart = nil }
        #expect(t.afterQuietHours(instant("2026-11-23T23:30")) == instant("2026-11-23T23:30"))
    }

    @Test func retriesBackOffThenRepeatTheLastWait() throws {
        let t = try timing()
        #expect((1...6).map { t.retryDelay(afterAttempts: $0) } == [60, 300, 900, 3600, 3600, 3600])
    }

    /// Digests and quiet hours at fixed instants, worked out by hand (digests 08:30 on working days, quiet
    /// 19:00 to 08:00): a Saturday, a Monday, Christmas Eve (a closure), both clock changes, 29 February.
    @Test(arguments: [
        // (now, next digest, end of quiet hours for a message at that moment)
        ("2026-11-28T10:00", "2026-11-30T08:30", "2026-11-28T10:00"),  // Saturday daytime is not quiet
        ("2026-11-28T20:00", "2026-11-30T08:30", "2026-11-30T08:00"),  // Saturday evening: Monday morning
        ("2026-11-30T07:00", "2026-11-30T08:30", "2026-11-30T08:00"),  // Monday before the day starts
        ("2026-12-24T10:00", "2026-12-29T08:30", "2026-12-24T10:00"),  // Christmas Eve (closed) to Tue 29 Dec
        ("2026-12-24T20:00", "2026-12-29T08:30", "2026-12-29T08:00"),
        ("2027-03-28T00:30", "2027-03-30T08:30", "2027-03-30T08:00"),  // clocks go forward; Easter Monday off
        ("2026-10-25T01:30+01:00", "2026-10-26T08:30", "2026-10-26T08:00"),  // clocks go back: 08:30 GMT
        ("2028-02-29T20:00", "2028-03-01T08:30", "2028-03-01T08:00"),  // leap day evening
    ])
    func digestsAndQuietHoursAtFixedInstants(now: String, digest: String, quietEnd: String) throws {
        let t = try timing()
        #expect(t.nextDigest(atOrAfter: instant(now)) == instant(digest))
        #expect(t.afterQuietHours(instant(now)) == instant(quietEnd))
        // Local wall-clock times, whatever the offset that day.
        #expect(ZoneRules.europeLondon.localDateTime(at: t.nextDigest(atOrAfter: instant(now))).secondOfDay == 8 * 3600 + 30 * 60)
    }

    @Test func lateItemsGoInOneDigestNeverAnUrgentEmailOfTheirOwn() throws {
        let t = try timing()
        // Urgent, late (found overdue at a first start, Saturday evening): in a digest, when quiet hours end.
        let urgent = t.plan(severity: .urgent, dueAt: instant("2026-11-27T10:00"), now: instant("2026-11-28T20:00"), late: true)
        #expect(urgent.immediate == false && urgent.sendAt == instant("2026-11-30T08:00"))
        // The same during the working day: at once, as a digest.
        let now = instant("2026-11-30T11:00")
        #expect(t.plan(severity: .urgent, dueAt: instant("2026-11-27T10:00"), now: now, late: true) == (now, false))
        // Routine and late: with the worker's next digest, as it would have been.
        #expect(t.plan(severity: .routine, dueAt: instant("2026-11-27T10:00"), now: now, late: true) == (instant("2026-12-01T08:30"), false))
        // Late, but its whole-day deadline runs to the end of today: a digest now, not tomorrow's.
        #expect(t.plan(severity: .routine, dueAt: instant("2026-12-01T00:00"), now: now, late: true) == (now, false))
        // Not late: urgent at once as its own email.
        #expect(t.plan(severity: .urgent, dueAt: instant("2026-12-03T10:00"), now: now, late: false) == (now, true))
    }
}
