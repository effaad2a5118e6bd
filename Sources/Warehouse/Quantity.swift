/// An exact decimal quantity with at most five decimal places (Business Central's precision).
///
/// Stored as a signed count of 0.00001 units, so addition and comparison are exact integer
/// operations and nothing ever passes through binary floating point. Arithmetic that would leave
/// the representable range reports overflow instead of wrapping.
public struct Quantity: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Decimal places kept.
    public static let decimalPlaces = 5
    /// Units per 1.
    public static let scale: Int64 = 100_000
    /// The largest magnitude a single quantity on a journal line may have (one thousand billion).
    public static let maxLineMagnitude = Quantity(units: 1_000_000_000_000 * scale)

    /// The value times 10^5.
    public var units: Int64

    public init(units: Int64) { self.units = units }
    public init(_ integer: Int) { self.units = Int64(integer) * Quantity.scale }

    public static let zero = Quantity(units: 0)

    public var isZero: Bool { units == 0 }
    public var isNegative: Bool { units < 0 }
    public var isPositive: Bool { units > 0 }
    public var magnitude: Quantity { Quantity(units: units < 0 ? -units : units) }
    public var negated: Quantity { Quantity(units: -units) }

    public static func < (a: Quantity, b: Quantity) -> Bool { a.units < b.units }

    /// Exact sum, or nil on overflow.
    public func adding(_ other: Quantity) -> Quantity? {
        let (r, o) = units.addingReportingOverflow(other.units)
        return o ? nil : Quantity(units: r)
    }

    /// Exact difference, or nil on overflow.
    public func subtracting(_ other: Quantity) -> Quantity? {
        let (r, o) = units.subtractingReportingOverflow(other.units)
        return o ? nil : Quantity(units: r)
    }

    /// `self × factor`, rounded half away from zero to five places; nil on overflow.
    public func multiplied(by factor: Quantity) -> Quantity? {
        let product = Int128(units) * Int128(factor.units)
        return Quantity.rounded(product, divisor: Int128(Quantity.scale))
    }

    /// The nearest multiple of `step` (half away from zero); `self` when `step` is not positive.
    public func rounded(toMultipleOf step: Quantity) -> Quantity {
        guard step.units > 1 else { return self }
        let r = units % step.units
        guard r != 0 else { return self }
        let down = units - r
        let up = down + (units < 0 ? -step.units : step.units)
        return (r < 0 ? -r : r) * 2 >= step.units ? Quantity(units: up) : Quantity(units: down)
    }

    /// `self ÷ divisor`, rounded half away from zero to five places; nil on overflow or division by zero.
    public func divided(by divisor: Quantity) -> Quantity? {
        guard divisor.units != 0 else { return nil }
        let numerator = Int128(units) * Int128(Quantity.scale)
        return Quantity.rounded(numerator, divisor: Int128(divisor.units))
    }

    private static func rounded(_ value: Int128, divisor: Int128) -> Quantity? {
        var d = divisor
        var v = value
        if d < 0 {
            d = -d
            v = -v
        }
        let q = v / d
        let r = v % d
        var result = q
        if (r < 0 ? -r : r) * 2 >= d { result += v < 0 ? -1 : 1 }
        guard result >= Int128(Int64.min), result <= Int128(Int64.max) else { return nil }
        return Quantity(units: Int64(result))
    }

    /// The shortest exact decimal text: "5", "-2", "0.3", "1.25".
    public var description: String {
        let negative = units < 0
        let magnitude = units.magnitude
        let whole = magnitude / UInt64(Quantity.scale)
        var fraction = magnitude % UInt64(Quantity.scale)
        var text = negative ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = 5
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }

    /// Why a text is not a quantity.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case syntax(String)
        case tooManyDecimalPlaces(String)
        case outOfRange(String)

        public var description: String {
            switch self {
            case .syntax(let t): return "\"\(t)\" is not a decimal number"
            case .tooManyDecimalPlaces(let t): return "\"\(t)\" has more than \(Quantity.decimalPlaces) decimal places"
            case .outOfRange(let t): return "\"\(t)\" is out of range (magnitude at most 10^12)"
            }
        }
    }

    /// Parses a JSON number literal or a plain decimal string ("12", "-0.5", "1.25e2", "+3").
    /// Refuses values with a non-zero digit past the fifth decimal place rather than rounding them.
    public init(parsing text: String) throws(ParseError) {
        if let q = Quantity.plain(text) {
            self = q
            return
        }
        try self.init(parsingAny: text)
    }

    /// The spelling nearly every request uses (an optional sign, 1 to 13 integer digits, and optionally a point and
    /// 1 to 5 fraction digits, within the line magnitude) read in place, without the arrays of `init(parsingAny:)`.
    /// Nil for anything else, which `init(parsingAny:)` reads or refuses; where both read a text they agree (a test
    /// compares them).
    public static func plain(_ text: String) -> Quantity? {
        let result = text.utf8.withContiguousStorageIfAvailable { (u: UnsafeBufferPointer<UInt8>) -> Quantity? in
            var i = 0
            var negative = false
            if i < u.count && (u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+")) {
                negative = u[i] == UInt8(ascii: "-")
                i += 1
            }
            var whole: Int64 = 0
            let wholeStart = i
            while i < u.count, u[i] &- 48 < 10 {
                whole = whole &* 10 &+ Int64(u[i] &- 48)
                i += 1
            }
            guard i > wholeStart, i - wholeStart <= 13 else { return nil }
            var fraction: Int64 = 0
            var fractionDigits = 0
            if i < u.count {
                guard u[i] == UInt8(ascii: ".") else { return nil }
                i += 1
                while i < u.count, u[i] &- 48 < 10 {
                    fraction = fraction &* 10 &+ Int64(u[i] &- 48)
                    fractionDigits += 1
                    i += 1
                }
                guard fractionDigits >= 1, fractionDigits <= decimalPlaces, i == u.count else { return nil }
                for _ in fractionDigits..<decimalPlaces { fraction &*= 10 }
            }
            let units = whole &* scale &+ fraction
            guard units <= maxLineMagnitude.units else { return nil }
            return Quantity(units: negative ? -units : units)
        }
        return result ?? nil
    }

    /// Any spelling `init(parsing:)` accepts: exponents, trailing zeros past the fifth place, a bare point.
    init(parsingAny text: String) throws(ParseError) {
        var utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count <= 64 else { throw .syntax(text) }
        var negative = false
        var i = 0
        if utf8[0] == UInt8(ascii: "-") || utf8[0] == UInt8(ascii: "+") {
            negative = utf8[0] == UInt8(ascii: "-")
            i = 1
        }
        var digits: [UInt8] = []  // significant digits, integer part then fraction
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        var exponent = 0
        while i < utf8.count {
            let c = utf8[i]
            if c >= 48 && c <= 57 {
                digits.append(c - 48)
                sawDigit = true
                if sawPoint { fractionDigits += 1 }
            } else if c == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else if (c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) && sawDigit {
                i += 1
                var expNegative = false
                if i < utf8.count && (utf8[i] == UInt8(ascii: "-") || utf8[i] == UInt8(ascii: "+")) {
                    expNegative = utf8[i] == UInt8(ascii: "-")
                    i += 1
                }
                guard i < utf8.count else { throw .syntax(text) }
                var e = 0
                while i < utf8.count {
                    let d = utf8[i]
                    guard d >= 48 && d <= 57 else { throw .syntax(text) }
                    e = e * 10 + Int(d - 48)
                    guard e < 1000 else { throw .outOfRange(text) }
                    i += 1
                }
                exponent = expNegative ? -e : e
                break
            } else {
                throw .syntax(text)
            }
            i += 1
        }
        guard sawDigit else { throw .syntax(text) }
        utf8.removeAll()
        // value = digits × 10^(exponent − fractionDigits); we need it × 10^5 as an integer.
        let shift = exponent - fractionDigits + Quantity.decimalPlaces
        var kept = digits
        if shift < 0 {
            let drop = -shift
            if drop >= kept.count {
                if kept.contains(where: { $0 != 0 }) { throw .tooManyDecimalPlaces(text) }
                kept = [0]
            } else {
                let tail = kept.suffix(drop)
                if tail.contains(where: { $0 != 0 }) { throw .tooManyDecimalPlaces(text) }
                kept.removeLast(drop)
            }
        } else if shift > 0 {
            guard shift < 40 else {
                if kept.allSatisfy({ $0 == 0 }) {
                    self.units = 0
                    return
                }
                throw .outOfRange(text)
            }
            kept.append(contentsOf: repeatElement(0, count: shift))
        }
        var value: Int64 = 0
        for d in kept {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { throw .outOfRange(text) }
            value = s
        }
        let q = Quantity(units: negative ? -value : value)
        guard q.magnitude <= Quantity.maxLineMagnitude else { throw .outOfRange(text) }
        self = q
    }
}
