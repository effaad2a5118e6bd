import Foundation
import PostgresNIO

/// The elements of a one-dimensional array parameter without nulls, in PostgreSQL's binary format (each element its
/// length and its bytes): PostgreSQL receives the values without parsing any text (numeric_in, date_in and
/// timestamptz_in were a tenth of its CPU per row, BENCHMARKS.md).
struct BinaryElements: Sendable {
    private(set) var count = 0
    var bytes = ByteBuffer()

    mutating func added() { count += 1 }

    func encode(into buffer: inout ByteBuffer, elementType: PostgresDataType) {
        // Dimensions, a null bitmap flag (none), the element type; then the one dimension's length and lower bound.
        buffer.writeInteger(count == 0 ? 0 : 1, as: Int32.self)
        buffer.writeInteger(0, as: Int32.self)
        buffer.writeInteger(elementType.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(1, as: Int32.self)
        buffer.writeImmutableBuffer(bytes)
    }
}

/// A `numeric[]` parameter, each element an exact decimal given as its JSON number text (`-12.5`, `0.00001`,
/// `3`): written in numeric's binary form (base-10000 digits, weight, sign, display scale 5), never through a
/// Double. Text that is not a plain decimal with at most 5 decimal places is refused (whsed writes no other).
struct NumericColumn: PostgresNonThrowingEncodable, Sendable {
    private var elements = BinaryElements()
    var count: Int { elements.count }

    static var psqlType: PostgresDataType { .numericArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        elements.encode(into: &buffer, elementType: .numeric)
    }

    mutating func append(_ text: String) throws {
        var text = text
        try text.withUTF8 { try append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Appends the decimal `text`; throws a FeedError (the column unchanged) for anything else.
    mutating func append(bytes text: UnsafeRawBufferPointer) throws {
        guard NumericColumn.write(text, into: &elements.bytes) else {
            throw FeedError(
                description: "whsed sent a quantity that is not a decimal of 5 places at most: "
                    + String(decoding: text, as: UTF8.self))
        }
        elements.added()
    }

    /// Writes the element (its length, then numeric's binary form) of `text`, `-`? digits (`.` 1 to 5 digits)?,
    /// and returns true; else writes nothing and returns false. The base-10000 digits have no leading or trailing
    /// zero digit, as PostgreSQL's own.
    static func write(_ text: UnsafeRawBufferPointer, into out: inout ByteBuffer) -> Bool {
        var i = 0
        let n = text.count
        var negative = false
        if i < n && text[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var intStart = i
        while i < n && text[i] >= 48 && text[i] <= 57 { i += 1 }
        let intEnd = i
        guard intEnd > intStart else { return false }
        var frac = 0  // the fraction's digits, scaled to 8 (two base-10000 digits)
        if i < n {
            guard text[i] == UInt8(ascii: ".") else { return false }
            i += 1
            let fracStart = i
            while i < n && text[i] >= 48 && text[i] <= 57 {
                frac = frac * 10 + Int(text[i] - 48)
                i += 1
            }
            let places = i - fracStart
            guard places >= 1, places <= 5, i == n else { return false }
            for _ in places..<8 { frac *= 10 }
        }
        while intStart < intEnd && text[intStart] == 48 { intStart += 1 }
        let intLength = intEnd - intStart
        // Base-10000 digits of the integer part, most significant first (the first takes what is left over), then
        // the two of the fraction.
        let intGroups = (intLength + 3) / 4
        return withUnsafeTemporaryAllocation(of: Int16.self, capacity: intGroups + 2) { d in
            var at = intStart
            var width = intLength % 4 == 0 ? 4 : intLength % 4
            for g in 0..<intGroups {
                var v: Int16 = 0
                for k in at..<(at + width) { v = v &* 10 &+ Int16(text[k] &- 48) }
                d[g] = v
                at += width
                width = 4
            }
            d[intGroups] = Int16(frac / 10_000)
            d[intGroups + 1] = Int16(frac % 10_000)
            var weight = Int16(intGroups - 1)
            var first = 0
            // A leading zero digit only where the integer part is 0 (0.0000x): it moves the weight down.
            if intGroups == 0 && d[0] == 0 {
                first = 1
                weight = -2
            }
            var last = intGroups + 2
            while last > first && d[last - 1] == 0 { last -= 1 }
            let count = last - first
            out.writeInteger(Int32(8 + 2 * count))
            out.writeInteger(Int16(count))
            out.writeInteger(count == 0 ? 0 : weight)
            out.writeInteger(negative && count > 0 ? 0x4000 : 0, as: UInt16.self)
            out.writeInteger(5, as: Int16.self)
            for g in first..<last { out.writeInteger(d[g]) }
            return true
        }
    }
}

/// Days and microseconds from PostgreSQL's epoch, 2000-01-01 (UTC), of whsed's dates and timestamps.
enum PostgresTime {
    /// Days from 2000-01-01 of `YYYY-MM-DD` (a valid Gregorian date), else nil.
    static func days(_ t: UnsafeRawBufferPointer) -> Int32? {
        guard t.count == 10, t[4] == UInt8(ascii: "-"), t[7] == UInt8(ascii: "-"),
            let y = number(t, 0, 4), let m = number(t, 5, 2), let d = number(t, 8, 2),
            (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y)
        else { return nil }
        return Int32(daysFromCivil(y, m, d) - daysFromCivil(2000, 1, 1))
    }

    /// Microseconds from 2000-01-01T00:00:00Z of `YYYY-MM-DDTHH:MM:SSZ` (protocol.md 5: whsed's timestamps are UTC,
    /// to the second), else nil. A leap second (`:60`) counts as the next second, as PostgreSQL reads it.
    static func microseconds(_ t: UnsafeRawBufferPointer) -> Int64? {
        guard t.count == 20, t[10] == UInt8(ascii: "T"), t[13] == UInt8(ascii: ":"), t[16] == UInt8(ascii: ":"),
            t[19] == UInt8(ascii: "Z"), let days = days(UnsafeRawBufferPointer(rebasing: t[0..<10])),
            let h = number(t, 11, 2), let m = number(t, 14, 2), let s = number(t, 17, 2), h < 24, m < 60, s <= 60
        else { return nil }
        return ((Int64(days) * 24 + Int64(h)) * 3600 + Int64(m) * 60 + Int64(s)) * 1_000_000
    }

    /// Whether `text` holds the bytes of `last`.
    static func same(_ text: UnsafeRawBufferPointer, _ last: [UInt8]) -> Bool {
        guard text.count == last.count, let a = text.baseAddress else { return false }
        return last.withUnsafeBytes { memcmp(a, $0.baseAddress!, text.count) == 0 }
    }

    private static func number(_ t: UnsafeRawBufferPointer, _ at: Int, _ width: Int) -> Int? {
        var v = 0
        for k in at..<(at + width) {
            guard t[k] >= 48 && t[k] <= 57 else { return nil }
            v = v * 10 + Int(t[k] - 48)
        }
        return v
    }

    private static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// A kind of time whsed sends as text and a `TimeColumn` binds in PostgreSQL's binary form.
protocol TimeKind: Sendable {
    associatedtype Value: FixedWidthInteger & Sendable
    static var arrayType: PostgresDataType { get }
    static var elementType: PostgresDataType { get }
    /// The spelling whsed sends, for the error when a text is not one.
    static var spelling: String { get }
    static func value(_ text: UnsafeRawBufferPointer) -> Value?
}

/// whsed's `YYYY-MM-DD` dates, as days from 2000-01-01.
enum DateKind: TimeKind {
    static var arrayType: PostgresDataType { .dateArray }
    static var elementType: PostgresDataType { .date }
    static var spelling: String { "a date that is not YYYY-MM-DD" }
    static func value(_ text: UnsafeRawBufferPointer) -> Int32? { PostgresTime.days(text) }
}

/// whsed's `YYYY-MM-DDTHH:MM:SSZ` timestamps, as microseconds from 2000-01-01T00:00:00Z.
enum TimestampKind: TimeKind {
    static var arrayType: PostgresDataType { .timestamptzArray }
    static var elementType: PostgresDataType { .timestamptz }
    static var spelling: String { "a timestamp that is not YYYY-MM-DDTHH:MM:SSZ" }
    static func value(_ text: UnsafeRawBufferPointer) -> Int64? { PostgresTime.microseconds(text) }
}

/// A `date[]` or `timestamptz[]` parameter in its binary form. The entries of one record share their date and
/// timestamp: the last one's text and value are kept, so most are copied, not read.
struct TimeColumn<Kind: TimeKind>: PostgresNonThrowingEncodable, Sendable {
    private var elements = BinaryElements()
    private var lastText: [UInt8] = []
    private var lastValue: Kind.Value = 0
    var count: Int { elements.count }

    static var psqlType: PostgresDataType { Kind.arrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        elements.encode(into: &buffer, elementType: Kind.elementType)
    }

    mutating func append(bytes text: UnsafeRawBufferPointer) throws {
        if !PostgresTime.same(text, lastText) {
            guard let v = Kind.value(text) else {
                throw FeedError(description: "whsed sent \(Kind.spelling): " + String(decoding: text, as: UTF8.self))
            }
            lastText = Array(text)
            lastValue = v
        }
        elements.bytes.writeInteger(Int32(Kind.Value.bitWidth / 8))
        elements.bytes.writeInteger(lastValue)
        elements.added()
    }
}

typealias DateColumn = TimeColumn<DateKind>
typealias TimestampColumn = TimeColumn<TimestampKind>
