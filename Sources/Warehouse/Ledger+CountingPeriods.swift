/// A phys. inventory counting period (DOMAIN.md §2.12): how often per year its items are counted.
public struct CountingPeriod: Sendable, Hashable {
    public var code: String
    public var description: String
    /// Count Frequency per Year, 1...365.
    public var frequency: Int
}

/// Calendar arithmetic on YYYY-MM-DD dates (proleptic Gregorian), enough for counting windows.
enum CivilDate {
    static func parse(_ s: String) -> (y: Int, m: Int, d: Int) {
        let b = Array(s.utf8)
        func n(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(b[$1] - 48) } }
        return (n(0..<4), n(5..<7), n(8..<10))
    }
    static func format(_ y: Int, _ m: Int, _ d: Int) -> String {
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }
    static func daysInYear(_ y: Int) -> Int { isLeap(y) ? 366 : 365 }
    static func dayOfYear(_ y: Int, _ m: Int, _ d: Int) -> Int { (1..<m).reduce(0) { $0 + daysInMonth(y, $1) } + d }
    static func fromDayOfYear(_ y: Int, _ doy: Int) -> String {
        var m = 1
        var d = doy
        while d > daysInMonth(y, m) {
            d -= daysInMonth(y, m)
            m += 1
        }
        return format(y, m, d)
    }
    /// The date after `s`.
    static func nextDay(_ s: String) -> String {
        let (y, m, d) = parse(s)
        if d < daysInMonth(y, m) { return format(y, m, d + 1) }
        return m < 12 ? format(y, m + 1, 1) : format(y + 1, 1, 1)
    }
    /// The month `months` after (y, m).
    static func addMonths(_ y: Int, _ m: Int, _ months: Int) -> (Int, Int) {
        let t = y * 12 + (m - 1) + months
        return (t / 12, t % 12 + 1)
    }
}

extension CountingPeriod {
    /// The counting window that holds `date`, windows being aligned on the calendar year: frequency 1, 2, 3, 4, 6 or
    /// 12 → 12/f-month windows from January (quarters for 4); 24 → half months (1st–15th, 16th–end); any other →
    /// year ÷ f day windows from 1 January, the last one running to 31 December.
    public func window(containing date: String) -> (start: String, end: String) {
        let (y, m, d) = CivilDate.parse(date)
        switch frequency {
        case 1, 2, 3, 4, 6, 12:
            let months = 12 / frequency
            let sm = (m - 1) / months * months + 1
            let (ey, em) = CivilDate.addMonths(y, sm, months - 1)
            return (CivilDate.format(y, sm, 1), CivilDate.format(ey, em, CivilDate.daysInMonth(ey, em)))
        case 24:
            return d <= 15
                ? (CivilDate.format(y, m, 1), CivilDate.format(y, m, 15))
                : (CivilDate.format(y, m, 16), CivilDate.format(y, m, CivilDate.daysInMonth(y, m)))
        default:
            let total = CivilDate.daysInYear(y)
            let len = max(1, total / frequency)
            let k = min((CivilDate.dayOfYear(y, m, d) - 1) / len, frequency - 1)
            let end = k == frequency - 1 ? total : (k + 1) * len
            return (CivilDate.fromDayOfYear(y, k * len + 1), CivilDate.fromDayOfYear(y, min(end, total)))
        }
    }

    /// The window after a count on `date`: the one that starts the day after the window holding `date` ends.
    public func window(after date: String) -> (start: String, end: String) {
        window(containing: CivilDate.nextDay(window(containing: date).end))
    }
}

/// Counting periods and cycle counting (DOMAIN.md §2.12, E13).
extension Ledger {
    public func countingPeriod(_ code: String) throws(DomainError) -> CountingPeriod {
        guard let p = state.countingPeriods[code] else {
            throw DomainError(
                .notFound, "counting period \(code) does not exist", details: ["countingPeriod": .text(code)])
        }
        return p
    }

    /// Creates a counting period.
    @discardableResult
    public func createCountingPeriod(code: String, description: String = "", frequency: Int) throws(DomainError)
        -> CountingPeriod
    {
        try atomically { () throws(DomainError) -> CountingPeriod in
            try Ledger.checkCode(code, "counting period code")
            try Ledger.checkText(description, "description")
            guard (1...365).contains(frequency) else {
                throw DomainError(.validationFailed, "count frequency per year must be 1...365, not \(frequency)")
            }
            guard state.countingPeriods[code] == nil else {
                throw DomainError(
                    .alreadyExists, "counting period \(code) already exists", details: ["countingPeriod": .text(code)])
            }
            let p = CountingPeriod(code: code, description: description, frequency: frequency)
            setCountingPeriod(code, p)
            return p
        }
    }

    /// Assigns a counting period to an item (nil clears it). The next counting window is the one holding `date`.
    @discardableResult
    public func setItemCountingPeriod(item no: String, period code: String?, date: String) throws(DomainError) -> Item {
        try atomically { () throws(DomainError) -> Item in
            var item = try item(no)
            try Ledger.checkDate(date, "date")
            if let code {
                let p = try countingPeriod(code)
                let w = p.window(containing: date)
                item.countingPeriod = code
                item.nextCountingStart = w.start
                item.nextCountingEnd = w.end
            } else {
                item.countingPeriod = nil
                item.nextCountingStart = nil
                item.nextCountingEnd = nil
            }
            setItem(item)
            return item
        }
    }

    /// Items due for counting on `date` (Calculate Counting Period): a period is set, the window has started, and the
    /// item was not counted since the window's start.
    public func itemsDueForCounting(on date: String, period: String? = nil) throws(DomainError) -> [Item] {
        try Ledger.checkDate(date, "date")
        if let period { _ = try countingPeriod(period) }
        return state.items.values.filter { i in
            guard let p = i.countingPeriod, period == nil || p == period, let start = i.nextCountingStart else {
                return false
            }
            return start <= date && (i.lastCountingPeriodUpdate.map { $0 < start } ?? true)
        }.sorted { $0.no < $1.no }
    }

    /// After a counting-period line is registered/posted on `date`: the item was counted, and its next window follows.
    func itemCounted(_ no: String, period: String, on date: String) {
        guard var item = state.items[no], item.countingPeriod == period, let p = state.countingPeriods[period] else {
            return
        }
        if let last = item.lastCountingPeriodUpdate, last >= date { return }
        let w = p.window(after: date)
        item.lastCountingPeriodUpdate = date
        item.nextCountingStart = w.start
        item.nextCountingEnd = w.end
        setItem(item)
    }
}
