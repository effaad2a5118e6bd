// A small, exact JSON (RFC 8259) value type with a byte-level parser and a
// deterministic compact serializer. Pure Swift standard library: no Foundation,
// and numbers never pass through Double (they keep their literal text).

// MARK: - Value

/// A JSON value. Numbers keep their literal text so decimals stay exact.
///
/// Equality is structural; numbers compare by their literal text, so
/// `.number("1.0") != .number("1")`. Object keys are Swift `String`s, which
/// compare by Unicode canonical equivalence (so two keys that differ only in
/// normalization are the same key; the parser reports them as duplicates).
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The exact literal as written (RFC 8259 number grammar), e.g. "0.10", "-3", "1e2".
    case number(String)
    case string(String)
    case array([JSON])
    case object([String: JSON])
}

// MARK: - Convenience

extension JSON {
    /// An integer number, e.g. `JSON(42)` is `.number("42")`.
    @inlinable public init(_ value: Int) { self = .number(String(value)) }
    @inlinable public init(_ value: String) { self = .string(value) }
    @inlinable public init(_ value: Bool) { self = .bool(value) }
    @inlinable public init(_ value: [JSON]) { self = .array(value) }
    @inlinable public init(_ value: [String: JSON]) { self = .object(value) }

    /// A number from its literal text, or nil when the text is not a valid
    /// RFC 8259 number (e.g. "+1", "01", "1.", ".5", "NaN", "1e").
    public init?(numberLiteral literal: String) {
        guard JSON.isValidNumberLiteral(literal) else { return nil }
        self = .number(literal)
    }

    /// Whether `literal` matches the RFC 8259 number grammar exactly:
    /// `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`
    public static func isValidNumberLiteral(_ literal: String) -> Bool {
        var copy = literal
        return copy.withUTF8 { JSONBytes.validNumber($0) }
    }

    /// The member named `key` when this is an object; nil otherwise or when absent.
    @inlinable public subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range; nil otherwise.
    @inlinable public subscript(index: Int) -> JSON? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    @inlinable public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    @inlinable public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    @inlinable public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The literal text when this is a number.
    @inlinable public var numberLiteral: String? {
        if case .number(let n) = self { return n }
        return nil
    }

    @inlinable public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    @inlinable public var objectValue: [String: JSON]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The value when this is a number written as an exact integer (`-?[0-9]+`)
    /// that fits in `Int`. "1.0", "1e2" and out-of-range integers give nil.
    public var intValue: Int? {
        guard case .number(let literal) = self else { return nil }
        var result = 0
        var negative = false
        var sawDigit = false
        var first = true
        for byte in literal.utf8 {
            defer { first = false }
            if first && byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte &- 0x30 < 10 else { return nil }
            sawDigit = true
            let digit = Int(byte &- 0x30)
            let (shifted, o1) = result.multipliedReportingOverflow(by: 10)
            if o1 { return nil }
            let (next, o2) =
                negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            if o2 { return nil }
            result = next
        }
        return sawDigit ? result : nil
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// Later duplicates win (a literal cannot trap on a repeated key).
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSON: CustomStringConvertible {
    /// The compact serialization.
    public var description: String { serializedString }
}

// MARK: - Errors

public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the input where the problem was detected.
    public var offset: Int
    /// What went wrong, without the offset, e.g. "unexpected character 'x'".
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// e.g. "unexpected character 'x' at offset 12".
    public var description: String { "\(message) at offset \(offset)" }
}

// MARK: - Parser

public enum JSONParser {
    /// Parses exactly one JSON value (RFC 8259) from UTF-8 bytes, with optional surrounding
    /// whitespace; anything after it is an error.
    ///
    /// Rejects invalid UTF-8 (overlongs, surrogates, truncated sequences), lone surrogate `\u`
    /// escapes, control characters in strings, leading zeros, duplicate object keys
    /// (`duplicate key "x"`), and nesting deeper than `maxDepth` (`nesting deeper than 64`).
    /// The parser is iterative (an explicit stack, no recursion), so no input can overflow
    /// the call stack, and it never traps on any input.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(JSONParseError) -> JSON {
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(offset: 0, message: "unexpected end of input (expected a value)")
        }
        var parser = JSONByteParser(
            base: raw.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONParseError) -> JSON {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSON in try parse(raw, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(_ string: String, maxDepth: Int = 64) throws(JSONParseError) -> JSON {
        var copy = string
        let result = copy.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSON in
                try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
            }
        }
        return try result.get()
    }
}

/// Byte constants and helpers shared by the parser and serializer (namespaced to avoid
/// clashing with anything else in the module).
enum JSONBytes {
    static let quote: UInt8 = 0x22  // "
    static let backslash: UInt8 = 0x5C  // \
    static let comma: UInt8 = 0x2C  // ,
    static let colon: UInt8 = 0x3A  // :
    static let minus: UInt8 = 0x2D  // -
    static let plus: UInt8 = 0x2B  // +
    static let dot: UInt8 = 0x2E  // .
    static let zero: UInt8 = 0x30  // 0
    static let openBracket: UInt8 = 0x5B  // [
    static let closeBracket: UInt8 = 0x5D  // ]
    static let openBrace: UInt8 = 0x7B  // {
    static let closeBrace: UInt8 = 0x7D  // }
    static let lowerE: UInt8 = 0x65  // e
    static let upperE: UInt8 = 0x45  // E

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hexByte(_ b: UInt8) -> String {
        String(decoding: [hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)]], as: UTF8.self)
    }

    /// "character 'x'" for printable ASCII, "byte 0xNN" otherwise.
    static func describe(_ b: UInt8) -> String {
        if b >= 0x20 && b < 0x7F {
            return "character '\(Character(Unicode.Scalar(b)))'"
        }
        return "byte 0x" + hexByte(b).uppercased()
    }

    /// Whether the whole buffer is one RFC 8259 number.
    static func validNumber(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = buf.count
        var k = 0
        if k < n && buf[k] == minus { k &+= 1 }
        guard k < n else { return false }
        if buf[k] == zero {
            k &+= 1
        } else if isDigit(buf[k]) {
            k &+= 1
            while k < n && isDigit(buf[k]) { k &+= 1 }
        } else {
            return false
        }
        if k < n && buf[k] == dot {
            k &+= 1
            guard k < n, isDigit(buf[k]) else { return false }
            while k < n && isDigit(buf[k]) { k &+= 1 }
        }
        if k < n && (buf[k] == lowerE || buf[k] == upperE) {
            k &+= 1
            if k < n && (buf[k] == plus || buf[k] == minus) { k &+= 1 }
            guard k < n, isDigit(buf[k]) else { return false }
            while k < n && isDigit(buf[k]) { k &+= 1 }
        }
        return k == n
    }
}

struct JSONByteParser {
    let base: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    var i: Int = 0

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
    }

    // MARK: errors

    func fail(_ offset: Int, _ message: String) -> JSONParseError {
        JSONParseError(offset: offset, message: message)
    }

    /// An error at the current position: end of input or the unexpected byte there.
    func unexpected(expecting what: String? = nil) -> JSONParseError {
        let suffix = what.map { " (expected \($0))" } ?? ""
        if i >= count { return fail(count, "unexpected end of input" + suffix) }
        return fail(i, "unexpected " + JSONBytes.describe(base[i]) + suffix)
    }

    // MARK: lexing helpers

    @inline(__always) mutating func skipWhitespace() {
        while i < count {
            let b = base[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                i &+= 1
            } else {
                return
            }
        }
    }

    // MARK: document

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        // Explicit stack: `kinds` says which of `arrays` / `objects` holds each open container.
        var kinds: [Bool] = []  // true = object
        var arrays: [[JSON]] = []
        var objects: [[String: JSON]] = []
        var keys: [String] = []

        parseValue: while true {
            skipWhitespace()
            guard i < count else { throw unexpected(expecting: "a value") }
            var value: JSON
            let c = base[i]
            switch c {
            case JSONBytes.openBracket:
                if kinds.count >= maxDepth { throw fail(i, "nesting deeper than \(maxDepth)") }
                i &+= 1
                skipWhitespace()
                if i < count && base[i] == JSONBytes.closeBracket {
                    i &+= 1
                    value = .array([])
                } else {
                    kinds.append(false)
                    arrays.append([])
                    continue parseValue
                }
            case JSONBytes.openBrace:
                if kinds.count >= maxDepth { throw fail(i, "nesting deeper than \(maxDepth)") }
                i &+= 1
                skipWhitespace()
                if i < count && base[i] == JSONBytes.closeBrace {
                    i &+= 1
                    value = .object([:])
                } else {
                    let key = try parseKey(expecting: "a string key or '}'")
                    kinds.append(true)
                    // Room for a typical object's members up front: growing from empty rehashes at 1, 2, 4 and 8.
                    objects.append(Dictionary(minimumCapacity: 12))
                    keys.append(key)
                    continue parseValue
                }
            case JSONBytes.quote:
                value = .string(try parseString())
            case JSONBytes.minus, JSONBytes.zero...0x39:
                value = .number(try parseNumber())
            case 0x74:  // t
                try parseLiteral("true")
                value = .bool(true)
            case 0x66:  // f
                try parseLiteral("false")
                value = .bool(false)
            case 0x6E:  // n
                try parseLiteral("null")
                value = .null
            default:
                throw unexpected(expecting: "a value")
            }

            // Attach the completed value to its container; close containers as they end.
            while true {
                guard let isObject = kinds.last else {
                    skipWhitespace()
                    if i < count { throw fail(i, "unexpected " + JSONBytes.describe(base[i]) + " after JSON value") }
                    return value
                }
                if !isObject {
                    arrays[arrays.count &- 1].append(value)
                    skipWhitespace()
                    guard i < count else { throw unexpected(expecting: "',' or ']'") }
                    let b = base[i]
                    if b == JSONBytes.comma {
                        i &+= 1
                        continue parseValue
                    } else if b == JSONBytes.closeBracket {
                        i &+= 1
                        kinds.removeLast()
                        value = .array(arrays.removeLast())
                    } else {
                        throw unexpected(expecting: "',' or ']'")
                    }
                } else {
                    let top = objects.count &- 1
                    objects[top][keys.removeLast()] = value
                    skipWhitespace()
                    guard i < count else { throw unexpected(expecting: "',' or '}'") }
                    let b = base[i]
                    if b == JSONBytes.comma {
                        i &+= 1
                        skipWhitespace()
                        let keyOffset = i
                        let key = try parseKey(expecting: "a string key")
                        if objects[top][key] != nil {
                            throw fail(keyOffset, "duplicate key " + JSONByteParser.quotedForMessage(key))
                        }
                        keys.append(key)
                        continue parseValue
                    } else if b == JSONBytes.closeBrace {
                        i &+= 1
                        kinds.removeLast()
                        value = .object(objects.removeLast())
                    } else {
                        throw unexpected(expecting: "',' or '}'")
                    }
                }
            }
        }
    }

    /// The key in JSON syntax, shortened if very long.
    static func quotedForMessage(_ key: String) -> String {
        let scalars = key.unicodeScalars
        if scalars.count <= 64 { return JSON.string(key).serializedString }
        var short = String(String.UnicodeScalarView(scalars.prefix(64)))
        short += "..."
        return JSON.string(short).serializedString
    }

    /// Parses `"key"` and the following `:` (whitespace before the key already skipped).
    mutating func parseKey(expecting what: String) throws(JSONParseError) -> String {
        guard i < count, base[i] == JSONBytes.quote else { throw unexpected(expecting: what) }
        let key = try parseString()
        skipWhitespace()
        guard i < count, base[i] == JSONBytes.colon else { throw unexpected(expecting: "':' after object key") }
        i &+= 1
        return key
    }

    mutating func parseLiteral(_ literal: StaticString) throws(JSONParseError) {
        let bytes = literal.utf8Start
        let n = literal.utf8CodeUnitCount
        let start = i
        for k in 0..<n {
            guard i < count, base[i] == bytes[k] else {
                if i >= count { throw fail(count, "unexpected end of input (expected '\(literal)')") }
                throw fail(start, "invalid literal (expected '\(literal)')")
            }
            i &+= 1
        }
    }

    // MARK: numbers

    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = i
        if base[i] == JSONBytes.minus { i &+= 1 }
        guard i < count else { throw unexpected(expecting: "a digit") }
        let first = base[i]
        if first == JSONBytes.zero {
            i &+= 1
            if i < count && JSONBytes.isDigit(base[i]) { throw fail(i &- 1, "leading zeros are not allowed") }
        } else if JSONBytes.isDigit(first) {
            i &+= 1
            while i < count && JSONBytes.isDigit(base[i]) { i &+= 1 }
        } else {
            throw unexpected(expecting: "a digit")
        }
        if i < count && base[i] == JSONBytes.dot {
            i &+= 1
            guard i < count, JSONBytes.isDigit(base[i]) else { throw unexpected(expecting: "a digit after '.'") }
            i &+= 1
            while i < count && JSONBytes.isDigit(base[i]) { i &+= 1 }
        }
        if i < count && (base[i] == JSONBytes.lowerE || base[i] == JSONBytes.upperE) {
            i &+= 1
            if i < count && (base[i] == JSONBytes.plus || base[i] == JSONBytes.minus) { i &+= 1 }
            guard i < count, JSONBytes.isDigit(base[i]) else { throw unexpected(expecting: "a digit in the exponent") }
            i &+= 1
            while i < count && JSONBytes.isDigit(base[i]) { i &+= 1 }
        }
        return String(decoding: UnsafeBufferPointer(start: base + start, count: i &- start), as: UTF8.self)
    }

    // MARK: strings

    /// True when any of the 8 bytes is '"', '\', a control character, or non-ASCII.
    @inline(__always) static func needsAttention(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let bs = w ^ (ones &* 0x5C)
        let hasQuote = (q &- ones) & ~q
        let hasBackslash = (bs &- ones) & ~bs
        let hasControl = (w &- ones &* 0x20) & ~w
        return ((hasQuote | hasBackslash | hasControl) & highs) | (w & highs) != 0
    }

    /// Parses a string starting at the opening quote; leaves `i` after the closing quote.
    mutating func parseString() throws(JSONParseError) -> String {
        let open = i
        i &+= 1
        let start = i
        // Fast path: no escapes; the bytes are copied into the String once.
        while true {
            while i &+ 8 <= count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if JSONByteParser.needsAttention(w) { break }
                i &+= 8
            }
            guard i < count else { throw fail(open, "unterminated string") }
            let b = base[i]
            if b == JSONBytes.quote {
                let s = String(decoding: UnsafeBufferPointer(start: base + start, count: i &- start), as: UTF8.self)
                i &+= 1
                return s
            } else if b == JSONBytes.backslash {
                return try parseEscapedString(open: open, start: start)
            } else if b < 0x20 {
                throw fail(i, "unescaped control character 0x\(JSONBytes.hexByte(b).uppercased()) in string")
            } else if b < 0x80 {
                i &+= 1
            } else {
                try validateUTF8Sequence()
            }
        }
    }

    /// Slow path: the string has escapes. `start` is the first content byte; `i` is at the first backslash.
    mutating func parseEscapedString(open: Int, start: Int) throws(JSONParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(i &- start &+ 16)
        out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i &- start))
        while true {
            // Copy a run of plain bytes at once.
            let runStart = i
            while i < count {
                let b = base[i]
                if b == JSONBytes.quote || b == JSONBytes.backslash || b < 0x20 || b >= 0x80 { break }
                i &+= 1
            }
            if i > runStart {
                out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i &- runStart))
            }
            guard i < count else { throw fail(open, "unterminated string") }
            let b = base[i]
            if b == JSONBytes.quote {
                i &+= 1
                return String(decoding: out, as: UTF8.self)
            } else if b == JSONBytes.backslash {
                try parseEscape(into: &out, open: open)
            } else if b < 0x20 {
                throw fail(i, "unescaped control character 0x\(JSONBytes.hexByte(b).uppercased()) in string")
            } else {
                let s = i
                try validateUTF8Sequence()
                out.append(contentsOf: UnsafeBufferPointer(start: base + s, count: i &- s))
            }
        }
    }

    /// `i` is at a backslash.
    mutating func parseEscape(into out: inout [UInt8], open: Int) throws(JSONParseError) {
        let escapeStart = i
        i &+= 1
        guard i < count else { throw fail(open, "unterminated string") }
        let e = base[i]
        i &+= 1
        switch e {
        case JSONBytes.quote: out.append(JSONBytes.quote)
        case JSONBytes.backslash: out.append(JSONBytes.backslash)
        case 0x2F: out.append(0x2F)  // /
        case 0x62: out.append(0x08)  // b
        case 0x66: out.append(0x0C)  // f
        case 0x6E: out.append(0x0A)  // n
        case 0x72: out.append(0x0D)  // r
        case 0x74: out.append(0x09)  // t
        case 0x75:  // u
            let unit = try readHex4(escapeStart)
            var scalar: UInt32
            if unit >= 0xD800 && unit <= 0xDBFF {
                // Must be followed by an escaped low surrogate.
                guard i &+ 1 < count, base[i] == JSONBytes.backslash, base[i &+ 1] == 0x75 else {
                    throw fail(escapeStart, "lone surrogate \\u\(JSONByteParser.hex4(unit)) in string")
                }
                let lowStart = i
                i &+= 2
                let low = try readHex4(lowStart)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw fail(escapeStart, "lone surrogate \\u\(JSONByteParser.hex4(unit)) in string")
                }
                scalar = 0x10000 &+ ((unit &- 0xD800) << 10) &+ (low &- 0xDC00)
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw fail(escapeStart, "lone surrogate \\u\(JSONByteParser.hex4(unit)) in string")
            } else {
                scalar = unit
            }
            JSONByteParser.appendUTF8(scalar, to: &out)
        default:
            let what =
                e >= 0x20 && e < 0x7F
                ? "'\\\(Character(Unicode.Scalar(e)))'" : "(backslash then byte 0x\(JSONBytes.hexByte(e).uppercased()))"
            throw fail(escapeStart, "invalid escape sequence \(what) in string")
        }
    }

    static func hex4(_ v: UInt32) -> String {
        var s = String(v, radix: 16, uppercase: true)
        while s.utf8.count < 4 { s = "0" + s }
        return s
    }

    /// Reads 4 hex digits at `i` (after `\u`); `escapeStart` is the backslash, for errors.
    mutating func readHex4(_ escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < count else { throw fail(escapeStart, "unterminated \\u escape") }
            let b = base[i]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b &- 0x30
            case 0x41...0x46: d = b &- 0x41 &+ 10
            case 0x61...0x66: d = b &- 0x61 &+ 10
            default: throw fail(escapeStart, "invalid \\u escape (expected 4 hex digits)")
            }
            v = (v << 4) | UInt32(d)
            i &+= 1
        }
        return v
    }

    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(truncatingIfNeeded: v))
        } else if v < 0x800 {
            out.append(UInt8(truncatingIfNeeded: 0xC0 | (v >> 6)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(truncatingIfNeeded: 0xE0 | (v >> 12)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(truncatingIfNeeded: 0xF0 | (v >> 18)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (v & 0x3F)))
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `i` (lead byte >= 0x80) per RFC 3629:
    /// no overlongs, no surrogates, nothing above U+10FFFF, no truncation. Advances past it.
    mutating func validateUTF8Sequence() throws(JSONParseError) {
        let s = i
        let lead = base[s]
        var need = 0
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: need = 1
        case 0xE0:
            need = 2
            lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED:
            need = 2
            hi = 0x9F
        case 0xF0:
            need = 3
            lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4:
            need = 3
            hi = 0x8F
        default: throw fail(s, "invalid UTF-8")
        }
        guard s &+ need < count else { throw fail(s, "invalid UTF-8") }
        let b1 = base[s &+ 1]
        guard b1 >= lo && b1 <= hi else { throw fail(s, "invalid UTF-8") }
        var k = 2
        while k <= need {
            guard base[s &+ k] & 0xC0 == 0x80 else { throw fail(s, "invalid UTF-8") }
            k &+= 1
        }
        i = s &+ need &+ 1
    }
}

// MARK: - Serialization

extension JSON {
    /// Compact serialization: no whitespace, object keys sorted by their UTF-8 bytes
    /// (deterministic output), strings escaped per RFC 8259 (`"`, `\`, and control
    /// characters as `\b \f \n \r \t` or `\u00XX`; everything else, including non-ASCII,
    /// written as UTF-8). Numbers are written as their literal text; a `.number` whose
    /// text is not a valid JSON number (only possible when constructed by hand) is
    /// written as `null`, so the output is always valid JSON with no newline in it.
    public func serialized() -> [UInt8] {
        var sink = JSONByteSink(capacity: 256)
        defer { sink.free() }
        write(into: &sink)
        return sink.array()
    }

    public var serializedString: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    public func serialize(into buffer: inout [UInt8]) {
        var sink = JSONByteSink(capacity: 256)
        defer { sink.free() }
        write(into: &sink)
        sink.withBytes { buffer.append(contentsOf: $0) }
    }

    /// The serializer proper: into a raw growable buffer (appending to an `Array` byte by byte or by slices costs
    /// several times as much), object members sorted by an insertion sort on their keys' UTF-8 bytes.
    func write(into sink: inout JSONByteSink) {
        switch self {
        case .null:
            sink.append(ascii: "null")
        case .bool(let b):
            sink.append(ascii: b ? "true" : "false")
        case .number(let literal):
            var copy = literal
            copy.withUTF8 { bytes in
                if JSONBytes.validNumber(bytes) {
                    sink.append(bytes)
                } else {
                    sink.append(ascii: "null")
                }
            }
        case .string(let s):
            JSON.writeString(s, into: &sink)
        case .array(let elements):
            sink.append(JSONBytes.openBracket)
            var first = true
            for element in elements {
                if !first { sink.append(JSONBytes.comma) }
                first = false
                element.write(into: &sink)
            }
            sink.append(JSONBytes.closeBracket)
        case .object(let members):
            sink.append(JSONBytes.openBrace)
            func member(_ key: String, _ value: JSON) {
                JSON.writeString(key, into: &sink)
                sink.append(JSONBytes.colon)
                value.write(into: &sink)
            }
            if members.count == 1 {
                member(members.first!.key, members.first!.value)
            } else if members.count > 1 {
                var sorted = ContiguousArray<(key: String, value: JSON)>()
                sorted.reserveCapacity(members.count)
                for m in members { sorted.append(m) }
                if sorted.count <= 16 {
                    // Insertion sort: objects are small, and this does no allocation or closure call.
                    var i = 1
                    while i < sorted.count {
                        let x = sorted[i]
                        var j = i - 1
                        while j >= 0 && JSON.keyPrecedes(x.key, sorted[j].key) {
                            sorted[j + 1] = sorted[j]
                            j -= 1
                        }
                        sorted[j + 1] = x
                        i += 1
                    }
                } else {
                    sorted.sort { JSON.keyPrecedes($0.key, $1.key) }
                }
                var first = true
                for (key, value) in sorted {
                    if !first { sink.append(JSONBytes.comma) }
                    first = false
                    member(key, value)
                }
            }
            sink.append(JSONBytes.closeBrace)
        }
    }

    /// Whether `a` sorts before `b` by their UTF-8 bytes (what `String`'s `<` does not promise for text that is not
    /// in NFC).
    static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let n = Swift.min(pa.count, pb.count)
                var k = 0
                while k < n {
                    let x = pa[k]
                    let y = pb[k]
                    if x != y { return x < y }
                    k &+= 1
                }
                return pa.count < pb.count
            }
        }
    }

    static func writeString(_ s: String, into sink: inout JSONByteSink) {
        var copy = s
        copy.withUTF8 { src in
            sink.reserve(src.count + 2)
            sink.appendUnchecked(JSONBytes.quote)
            JSON.escape(src, into: &sink)
            sink.append(JSONBytes.quote)
        }
    }

    fileprivate static func escape(_ src: UnsafeBufferPointer<UInt8>, into sink: inout JSONByteSink) {
        let n = src.count
        var runStart = 0
        var k = 0
        while k < n {
            let b = src[k]
            if b >= 0x20 && b != JSONBytes.quote && b != JSONBytes.backslash {
                k &+= 1
                continue
            }
            if runStart < k {
                sink.append(UnsafeBufferPointer(rebasing: src[runStart..<k]))
            }
            sink.append(JSONBytes.backslash)
            switch b {
            case JSONBytes.quote: sink.append(JSONBytes.quote)
            case JSONBytes.backslash: sink.append(JSONBytes.backslash)
            case 0x08: sink.append(0x62)  // b
            case 0x0C: sink.append(0x66)  // f
            case 0x0A: sink.append(0x6E)  // n
            case 0x0D: sink.append(0x72)  // r
            case 0x09: sink.append(0x74)  // t
            default:
                sink.append(0x75)  // u00XX
                sink.append(JSONBytes.zero)
                sink.append(JSONBytes.zero)
                sink.append(JSONBytes.hexDigits[Int(b >> 4)])
                sink.append(JSONBytes.hexDigits[Int(b & 0xF)])
            }
            k &+= 1
            runStart = k
        }
        if runStart < n {
            sink.append(UnsafeBufferPointer(rebasing: src[runStart..<n]))
        }
    }
}

/// A growable byte buffer for the serializer: a raw allocation with its count, so appending a byte or a slice is a
/// bounds check and a copy. Owned by one serialization; `free()` releases it.
struct JSONByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    @inline(__always) mutating func reserve(_ n: Int) {
        if count &+ n > capacity { grow(count &+ n) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = Swift.max(needed, capacity &* 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        if count == capacity { grow(count &+ 1) }
        base[count] = b
        count &+= 1
    }

    /// Appends a byte where `reserve` made room for it.
    @inline(__always) mutating func appendUnchecked(_ b: UInt8) {
        base[count] = b
        count &+= 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: p, count: bytes.count)
        count &+= bytes.count
    }

    /// An integer in decimal, as `JSON(Int)` serializes it.
    mutating func append(decimal v: Int) {
        reserve(20)
        var m = v.magnitude
        if v < 0 { appendUnchecked(JSONBytes.minus) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(truncatingIfNeeded: m % 10) &+ 0x30
                m /= 10
                n &+= 1
            } while m > 0
            while n > 0 {
                n &-= 1
                appendUnchecked(d[n])
            }
        }
    }

    mutating func append(ascii s: StaticString) {
        append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: base, count: count))
    }

    func array() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.update(from: base, count: count) }
            initialized = count
        }
    }
}

/// Writes one JSON object member by member, for the encodings on the posting path (the log record), without building
/// a dictionary first. The caller names the members in the order of their keys' UTF-8 bytes, so the bytes equal
/// what `JSON.serialized()` gives for the same object.
public struct JSONObjectWriter: ~Copyable {
    private var sink: JSONByteSink
    /// Nesting depth (0: the object itself) and, per depth, whether a member was written there (bit `depth`).
    private var depth = 0
    private var written: UInt64 = 0

    public init(capacity: Int = 256) {
        sink = JSONByteSink(capacity: capacity)
        sink.append(0x7B)
    }

    deinit { sink.free() }

    /// A comma before every member or element of the current container but its first.
    private mutating func separate() {
        if written & (1 << depth) != 0 { sink.append(0x2C) } else { written |= 1 << depth }
    }

    /// Opens an object (`{`) or array (`[`) one level down, where nothing is written yet.
    private mutating func open(_ bracket: UInt8) {
        sink.append(bracket)
        precondition(depth < 63, "objects nested too deep")
        depth += 1
        written &= ~(1 << depth)
    }

    /// Closes the container `open` began.
    private mutating func close(_ bracket: UInt8) {
        precondition(depth > 0, "no object or array to end")
        depth -= 1
        sink.append(bracket)
    }

    private mutating func key(_ k: StaticString) {
        separate()
        sink.append(0x22)
        sink.append(UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        sink.append(0x22)
        sink.append(0x3A)
    }

    /// A member whose key needs no escaping (the callers' keys are ASCII names).
    public mutating func member(_ k: StaticString, _ value: JSON) {
        key(k)
        value.write(into: &sink)
    }

    public mutating func member(_ k: StaticString, string: String) {
        key(k)
        JSON.writeString(string, into: &sink)
    }

    /// An integer member, as `JSON(Int)` serializes it.
    public mutating func member(_ k: StaticString, int: Int) {
        key(k)
        sink.append(decimal: int)
    }

    public mutating func member(_ k: StaticString, bool: Bool) {
        key(k)
        sink.append(ascii: bool ? "true" : "false")
    }

    /// `"k":null`.
    public mutating func null(_ k: StaticString) {
        key(k)
        sink.append(ascii: "null")
    }

    /// A member whose value is the array of two integers `[a,b]`.
    public mutating func member(_ k: StaticString, pair a: Int, _ b: Int) {
        key(k)
        sink.append(0x5B)
        sink.append(decimal: a)
        sink.append(0x2C)
        sink.append(decimal: b)
        sink.append(0x5D)
    }

    /// A member whose value is an array of `rows` arrays of strings, each `columns` long: `cell(row, column)`.
    public mutating func member(_ k: StaticString, rows: Int, columns: Int, cell: (Int, Int) -> String) {
        key(k)
        sink.append(0x5B)
        for r in 0..<rows {
            if r > 0 { sink.append(0x2C) }
            sink.append(0x5B)
            for c in 0..<columns {
                if c > 0 { sink.append(0x2C) }
                JSON.writeString(cell(r, c), into: &sink)
            }
            sink.append(0x5D)
        }
        sink.append(0x5D)
    }

    /// A member whose value is already serialized JSON.
    public mutating func member(_ k: StaticString, serialized bytes: [UInt8]) {
        key(k)
        bytes.withUnsafeBufferPointer { sink.append($0) }
    }

    public mutating func beginObject(_ k: StaticString) {
        key(k)
        open(0x7B)
    }

    /// Opens an array member; its elements are objects (`beginElement()` … `endObject()`), closed by `endArray()`.
    public mutating func beginArray(_ k: StaticString) {
        key(k)
        open(0x5B)
    }

    /// Opens an object element of the array just begun.
    public mutating func beginElement() {
        separate()
        open(0x7B)
    }

    public mutating func endArray() { close(0x5D) }

    public mutating func endObject() { close(0x7D) }

    /// The object's bytes.
    public consuming func finish() -> [UInt8] {
        precondition(depth == 0, "an object is still open")
        sink.append(0x7D)
        return sink.array()
    }
}
