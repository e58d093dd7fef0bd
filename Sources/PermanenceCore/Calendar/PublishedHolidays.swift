/// The bank holidays as published for each nation (GOV.UK), 2018 to 2028, including one-off
/// proclamations (VE Day 2020, the Platinum Jubilee and the State Funeral in 2022, the Coronation in 2023).
enum PublishedHolidays {
    static func list(_ nation: Nation, year: Int) -> [Holiday]? {
        guard let table = tables[nation] else { return nil }
        let prefix = String(year)
        let rows = table.filter { $0.0.hasPrefix(prefix) }
        guard !rows.isEmpty else { return nil }
        return rows.map { row in
            let parts = row.0.split(separator: "-").map { Int($0)! }
            return Holiday(date: LocalDate(year: parts[0], month: parts[1], day: parts[2])!, name: row.1)
        }
    }

    private static let ny = "New Year’s Day"
    private static let nySub = "New Year’s Day (substitute day)"
    private static let jan2 = "2nd January"
    private static let jan2Sub = "2nd January (substitute day)"
    private static let gf = "Good Friday"
    private static let em = "Easter Monday"
    private static let may = "Early May bank holiday"
    private static let spring = "Spring bank holiday"
    private static let summer = "Summer bank holiday"
    private static let xmas = "Christmas Day"
    private static let xmasSub = "Christmas Day (substitute day)"
    private static let boxing = "Boxing Day"
    private static let boxingSub = "Boxing Day (substitute day)"
    private static let standrew = "St Andrew’s Day"
    private static let standrewSub = "St Andrew’s Day (substitute day)"
    private static let patrick = "St Patrick’s Day"
    private static let patrickSub = "St Patrick’s Day (substitute day)"
    private static let boyne = "Battle of the Boyne (Orangemen’s Day)"
    private static let boyneSub = "Battle of the Boyne (Orangemen’s Day) (substitute day)"
    private static let ve = "Early May bank holiday (VE Day)"
    private static let jubilee = "Platinum Jubilee bank holiday"
    private static let funeral = "Bank holiday for the State Funeral of Queen Elizabeth II"
    private static let coronation = "Bank holiday for the coronation of King Charles III"

    private static let tables: [Nation: [(String, String)]] = [
        .englandAndWales: [
            ("2018-01-01", ny), ("2018-03-30", gf), ("2018-04-02", em), ("2018-05-07", may), ("2018-05-28", spring),
            ("2018-08-27", summer), ("2018-12-25", xmas), ("2018-12-26", boxing),
            ("2019-01-01", ny), ("2019-04-19", gf), ("2019-04-22", em), ("2019-05-06", may), ("2019-05-27", spring),
            ("2019-08-26", summer), ("2019-12-25", xmas), ("2019-12-26", boxing),
            ("2020-01-01", ny), ("2020-04-10", gf), ("2020-04-13", em), ("2020-05-08", ve), ("2020-05-25", spring),
            ("2020-08-31", summer), ("2020-12-25", xmas), ("2020-12-28", boxingSub),
            ("2021-01-01", ny), ("2021-04-02", gf), ("2021-04-05", em), ("2021-05-03", may), ("2021-05-31", spring),
            ("2021-08-30", summer), ("2021-12-27", xmasSub), ("2021-12-28", boxingSub),
            ("2022-01-03", nySub), ("2022-04-15", gf), ("2022-04-18", em), ("2022-05-02", may),
            ("2022-06-02", spring), ("2022-06-03", jubilee), ("2022-08-29", summer), ("2022-09-19", funeral),
            ("2022-12-26", boxing), ("2022-12-27", xmasSub),
            ("2023-01-02", nySub), ("2023-04-07", gf), ("2023-04-10", em), ("2023-05-01", may),
            ("2023-05-08", coronation), ("2023-05-29", spring), ("2023-08-28", summer), ("2023-12-25", xmas),
            ("2023-12-26", boxing),
            ("2024-01-01", ny), ("2024-03-29", gf), ("2024-04-01", em), ("2024-05-06", may), ("2024-05-27", spring),
            ("2024-08-26", summer), ("2024-12-25", xmas), ("2024-12-26", boxing),
            ("2025-01-01", ny), ("2025-04-18", gf), ("2025-04-21", em), ("2025-05-05", may), ("2025-05-26", spring),
            ("2025-08-25", summer), ("2025-12-25", xmas), ("2025-12-26", boxing),
            ("2026-01-01", ny), ("2026-04-03", gf), ("2026-04-06", em), ("2026-05-04", may), ("2026-05-25", spring),
            ("2026-08-31", summer), ("2026-12-25", xmas), ("2026-12-28", boxingSub),
            ("2027-01-01", ny), ("2027-03-26", gf), ("2027-03-29", em), ("2027-05-03", may), ("2027-05-31", spring),
            ("2027-08-30", summer), ("2027-12-27", xmasSub), ("2027-12-28", boxingSub),
            ("2028-01-03", nySub), ("2028-04-14", gf), ("2028-04-17", em), ("2028-05-01", may),
            ("2028-05-29", spring), ("2028-08-28", summer), ("2028-12-25", xmas), ("2028-12-26", boxing),
        ],
        .scotland: [
            ("2018-01-01", ny), ("2018-01-02", jan2), ("2018-03-30", gf), ("2018-05-07", may), ("2018-05-28", spring),
            ("2018-08-06", summer), ("2018-11-30", standrew), ("2018-12-25", xmas), ("2018-12-26", boxing),
            ("2019-01-01", ny), ("2019-01-02", jan2), ("2019-04-19", gf), ("2019-05-06", may), ("2019-05-27", spring),
            ("2019-08-05", summer), ("2019-12-02", standrewSub), ("2019-12-25", xmas), ("2019-12-26", boxing),
            ("2020-01-01", ny), ("2020-01-02", jan2), ("2020-04-10", gf), ("2020-05-08", ve), ("2020-05-25", spring),
            ("2020-08-03", summer), ("2020-11-30", standrew), ("2020-12-25", xmas), ("2020-12-28", boxingSub),
            ("2021-01-01", ny), ("2021-01-04", jan2Sub), ("2021-04-02", gf), ("2021-05-03", may),
            ("2021-05-31", spring), ("2021-08-02", summer), ("2021-11-30", standrew), ("2021-12-27", xmasSub),
            ("2021-12-28", boxingSub),
            ("2022-01-03", nySub), ("2022-01-04", jan2Sub), ("2022-04-15", gf), ("2022-05-02", may),
            ("2022-06-02", spring), ("2022-06-03", jubilee), ("2022-08-01", summer), ("2022-09-19", funeral),
            ("2022-11-30", standrew), ("2022-12-26", boxing), ("2022-12-27", xmasSub),
            ("2023-01-02", jan2), ("2023-01-03", nySub), ("2023-04-07", gf), ("2023-05-01", may),
            ("2023-05-08", coronation), ("2023-05-29", spring), ("2023-08-07", summer), ("2023-11-30", standrew),
            ("2023-12-25", xmas), ("2023-12-26", boxing),
            ("2024-01-01", ny), ("2024-01-02", jan2), ("2024-03-29", gf), ("2024-05-06", may), ("2024-05-27", spring),
            ("2024-08-05", summer), ("2024-12-02", standrewSub), ("2024-12-25", xmas), ("2024-12-26", boxing),
            ("2025-01-01", ny), ("2025-01-02", jan2), ("2025-04-18", gf), ("2025-05-05", may), ("2025-05-26", spring),
            ("2025-08-04", summer), ("2025-12-01", standrewSub), ("2025-12-25", xmas), ("2025-12-26", boxing),
            ("2026-01-01", ny), ("2026-01-02", jan2), ("2026-04-03", gf), ("2026-05-04", may), ("2026-05-25", spring),
            ("2026-08-03", summer), ("2026-11-30", standrew), ("2026-12-25", xmas), ("2026-12-28", boxingSub),
            ("2027-01-01", ny), ("2027-01-04", jan2Sub), ("2027-03-26", gf), ("2027-05-03", may),
            ("2027-05-31", spring), ("2027-08-02", summer), ("2027-11-30", standrew), ("2027-12-27", xmasSub),
            ("2027-12-28", boxingSub),
            ("2028-01-03", nySub), ("2028-01-04", jan2Sub), ("2028-04-14", gf), ("2028-05-01", may),
            ("2028-05-29", spring), ("2028-08-07", summer), ("2028-11-30", standrew), ("2028-12-25", xmas),
            ("2028-12-26", boxing),
        ],
        .northernIreland: [
            ("2018-01-01", ny), ("2018-03-19", patrickSub), ("2018-03-30", gf), ("2018-04-02", em),
            ("2018-05-07", may), ("2018-05-28", spring), ("2018-07-12", boyne), ("2018-08-27", summer),
            ("2018-12-25", xmas), ("2018-12-26", boxing),
            ("2019-01-01", ny), ("2019-03-18", patrickSub), ("2019-04-19", gf), ("2019-04-22", em),
            ("2019-05-06", may), ("2019-05-27", spring), ("2019-07-12", boyne), ("2019-08-26", summer),
            ("2019-12-25", xmas), ("2019-12-26", boxing),
            ("2020-01-01", ny), ("2020-03-17", patrick), ("2020-04-10", gf), ("2020-04-13", em), ("2020-05-08", ve),
            ("2020-05-25", spring), ("2020-07-13", boyneSub), ("2020-08-31", summer), ("2020-12-25", xmas),
            ("2020-12-28", boxingSub),
            ("2021-01-01", ny), ("2021-03-17", patrick), ("2021-04-02", gf), ("2021-04-05", em), ("2021-05-03", may),
            ("2021-05-31", spring), ("2021-07-12", boyne), ("2021-08-30", summer), ("2021-12-27", xmasSub),
            ("2021-12-28", boxingSub),
            ("2022-01-03", nySub), ("2022-03-17", patrick), ("2022-04-15", gf), ("2022-04-18", em),
            ("2022-05-02", may), ("2022-06-02", spring), ("2022-06-03", jubilee), ("2022-07-12", boyne),
            ("2022-08-29", summer), ("2022-09-19", funeral), ("2022-12-26", boxing), ("2022-12-27", xmasSub),
            ("2023-01-02", nySub), ("2023-03-17", patrick), ("2023-04-07", gf), ("2023-04-10", em),
            ("2023-05-01", may), ("2023-05-08", coronation), ("2023-05-29", spring), ("2023-07-12", boyne),
            ("2023-08-28", summer), ("2023-12-25", xmas), ("2023-12-26", boxing),
            ("2024-01-01", ny), ("2024-03-18", patrickSub), ("2024-03-29", gf), ("2024-04-01", em),
            ("2024-05-06", may), ("2024-05-27", spring), ("2024-07-12", boyne), ("2024-08-26", summer),
            ("2024-12-25", xmas), ("2024-12-26", boxing),
            ("2025-01-01", ny), ("2025-03-17", patrick), ("2025-04-18", gf), ("2025-04-21", em), ("2025-05-05", may),
            ("2025-05-26", spring), ("2025-07-14", boyneSub), ("2025-08-25", summer), ("2025-12-25", xmas),
            ("2025-12-26", boxing),
            ("2026-01-01", ny), ("2026-03-17", patrick), ("2026-04-03", gf), ("2026-04-06", em), ("2026-05-04", may),
            ("2026-05-25", spring), ("2026-07-13", boyneSub), ("2026-08-31", summer), ("2026-12-25", xmas),
            ("2026-12-28", boxingSub),
            ("2027-01-01", ny), ("2027-03-17", patrick), ("2027-03-26", gf), ("2027-03-29", em), ("2027-05-03", may),
            ("2027-05-31", spring), ("2027-07-12", boyne), ("2027-08-30", summer), ("2027-12-27", xmasSub),
            ("2027-12-28", boxingSub),
            ("2028-01-03", nySub), ("2028-03-17", patrick), ("2028-04-14", gf), ("2028-04-17", em),
            ("2028-05-01", may), ("2028-05-29", spring), ("2028-07-12", boyne), ("2028-08-28", summer),
            ("2028-12-25", xmas), ("2028-12-26", boxing),
        ],
    ]
}
