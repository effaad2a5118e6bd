// A pull reader over one JSON text's bytes: the caller walks the document member by member and takes each value
// straight out of the bytes (a String, a number's exact text, an Int64), with no JSON tree, no dictionaries and no
// hashing. It checks what it reads as strictly as JSONParser (RFC 8259: strings, escapes, UTF-8, number grammar,
// nesting), and what it skips too; duplicate keys are the caller's to notice.

/// Reads one JSON document in order. Containers: `beginObject()` then `nextKey()` until it returns false (the
/// closing brace is consumed); `beginArray()` then `nextElement()` until false. Between them, each value is read by
/// one of `string()`, `text()`, `int64()`, `bool()`, `skipValue()`, `rawValue()`. `end()` checks that nothing but
/// whitespace follows the document. Errors are `JSONParseError`s with the byte offset.
public struct JSONReader {
    var p: JSONByteParser
    /// After a value (or a container's end) a ',' or the closer comes next; after an opener, a value or the closer.
    var afterValue = false
    /// The current key: a range of the input, or its unescaped bytes when it had escapes.
    var keyStart = 0
    var keyCount = 0
    var escapedKey: [UInt8]? = nil

    /// Reads `count` bytes at `base`, which must stay valid while the reader is used.
    public init(_ base: UnsafePointer<UInt8>, count: Int, maxDepth: Int = 64) {
        p = JSONByteParser(base: base, count: count, maxDepth: maxDepth)
    }

    /// The byte offset the reader is at.
    public var offset: Int { p.i }

    public enum Kind: Sendable, Equatable { case object, array, string, number, bool, null }

    /// The kind of the next value (whitespace before it is skipped); an error when there is none.
    public mutating func peek() throws(JSONParseError) -> Kind {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.unexpected(expecting: "a value") }
        switch p.base[p.i] {
        case JSONBytes.openBrace: return .object
        case JSONBytes.openBracket: return .array
        case JSONBytes.quote: return .string
        case JSONBytes.minus, JSONBytes.zero...0x39: return .number
        case 0x74, 0x66: return .bool
        case 0x6E: return .null
        default: throw p.unexpected(expecting: "a value")
        }
    }

    public mutating func beginObject() throws(JSONParseError) {
        p.skipWhitespace()
        guard p.i < p.count, p.base[p.i] == JSONBytes.openBrace else { throw p.unexpected(expecting: "'{'") }
        p.i &+= 1
        afterValue = false
    }

    public mutating func beginArray() throws(JSONParseError) {
        p.skipWhitespace()
        guard p.i < p.count, p.base[p.i] == JSONBytes.openBracket else { throw p.unexpected(expecting: "'['") }
        p.i &+= 1
        afterValue = false
    }

    /// Moves to the next member of the current object and reads its key and ':' (the key is then `key(is:)`,
    /// `keyIndex(in:guess:)`, `keyString`); false at the object's end, whose '}' is consumed.
    public mutating func nextKey() throws(JSONParseError) -> Bool {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.unexpected(expecting: afterValue ? "',' or '}'" : "a string key or '}'") }
        let b = p.base[p.i]
        if b == JSONBytes.closeBrace {
            p.i &+= 1
            afterValue = true
            return false
        }
        if afterValue {
            guard b == JSONBytes.comma else { throw p.unexpected(expecting: "',' or '}'") }
            p.i &+= 1
            p.skipWhitespace()
            guard p.i < p.count, p.base[p.i] == JSONBytes.quote else { throw p.unexpected(expecting: "a string key") }
        } else {
            guard b == JSONBytes.quote else { throw p.unexpected(expecting: "a string key or '}'") }
        }
        try readKey()
        p.skipWhitespace()
        guard p.i < p.count, p.base[p.i] == JSONBytes.colon else {
            throw p.unexpected(expecting: "':' after object key")
        }
        p.i &+= 1
        afterValue = false
        return true
    }

    /// Moves to the next element of the current array; false at its end, whose ']' is consumed.
    public mutating func nextElement() throws(JSONParseError) -> Bool {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.unexpected(expecting: afterValue ? "',' or ']'" : "a value or ']'") }
        let b = p.base[p.i]
        if b == JSONBytes.closeBracket {
            p.i &+= 1
            afterValue = true
            return false
        }
        if afterValue {
            guard b == JSONBytes.comma else { throw p.unexpected(expecting: "',' or ']'") }
            p.i &+= 1
        }
        afterValue = false
        return true
    }

    /// The key at a quote: its bytes in place, or unescaped when it has escapes.
    mutating func readKey() throws(JSONParseError) {
        let open = p.i
        var k = open &+ 1
        while k < p.count {
            let c = p.base[k]
            if c == JSONBytes.quote {
                keyStart = open &+ 1
                keyCount = k &- keyStart
                escapedKey = nil
                p.i = k &+ 1
                return
            }
            if c == JSONBytes.backslash || c < 0x20 || c >= 0x80 { break }
            k &+= 1
        }
        // Escapes, control characters, non-ASCII or no end: the full parser checks and unescapes it.
        let s = try p.parseString()
        escapedKey = Array(s.utf8)
    }

    /// Whether the current key is `name`.
    public func key(is name: StaticString) -> Bool {
        keyEquals(name.utf8Start, name.utf8CodeUnitCount)
    }

    func keyEquals(_ bytes: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if let e = escapedKey {
            return e.count == n && e.withUnsafeBufferPointer { memoryEqual($0.baseAddress!, bytes, n) }
        }
        return keyCount == n && memoryEqual(p.base + keyStart, bytes, n)
    }

    @inline(__always) func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var k = 0
        while k < n {
            if a[k] != b[k] { return false }
            k &+= 1
        }
        return true
    }

    /// The current key's index in `keys`, or nil. `guess` is tried first and left after the match: for a writer
    /// that sorts its keys (whsed's does) and a table in the same order, each lookup is one comparison.
    public func keyIndex(in keys: [StaticString], guess: inout Int) -> Int? {
        if guess < keys.count, key(is: keys[guess]) {
            guess &+= 1
            return guess &- 1
        }
        for (n, k) in keys.enumerated() where key(is: k) {
            guess = n &+ 1
            return n
        }
        return nil
    }

    /// The current key as a String (for messages).
    public var keyString: String {
        if let e = escapedKey { return String(decoding: e, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(start: p.base + keyStart, count: keyCount), as: UTF8.self)
    }

    /// A string value.
    public mutating func string() throws(JSONParseError) -> String {
        p.skipWhitespace()
        guard p.i < p.count, p.base[p.i] == JSONBytes.quote else { throw p.unexpected(expecting: "a string") }
        let s = try p.parseString()
        afterValue = true
        return s
    }

    /// A string's text, a number's exact literal text, or "" for null; other kinds are an error.
    public mutating func text() throws(JSONParseError) -> String {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.unexpected(expecting: "a string, a number or null") }
        let b = p.base[p.i]
        let s: String
        if b == JSONBytes.quote {
            s = try p.parseString()
        } else if b == JSONBytes.minus || JSONBytes.isDigit(b) {
            s = try p.parseNumber()
        } else if b == 0x6E {
            try p.parseLiteral("null")
            s = ""
        } else {
            throw p.unexpected(expecting: "a string, a number or null")
        }
        afterValue = true
        return s
    }

    /// Like `text()`, but hands the text's UTF-8 bytes to `body` instead of making a String: for a string without
    /// escapes and for a number, the bytes as they stand in the input (checked as `text()` checks them).
    public mutating func withText<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(JSONParseError) -> R {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.unexpected(expecting: "a string, a number or null") }
        let b = p.base[p.i]
        let start: Int
        if b == JSONBytes.quote {
            let open = p.i
            p.i &+= 1
            start = p.i
            scan: while true {
                while p.i &+ 8 <= p.count {
                    let w = UnsafeRawPointer(p.base + p.i).loadUnaligned(as: UInt64.self)
                    if JSONByteParser.needsAttention(w) { break }
                    p.i &+= 8
                }
                guard p.i < p.count else { throw p.fail(open, "unterminated string") }
                let c = p.base[p.i]
                if c == JSONBytes.quote {
                    break scan
                } else if c >= 0x80 {
                    try p.validateUTF8Sequence()
                } else if c >= 0x20 && c != JSONBytes.backslash {
                    p.i &+= 1
                } else {
                    // An escape or a control character: the full parser unescapes or refuses it.
                    p.i = open
                    var s = try p.parseString()
                    afterValue = true
                    return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
                }
            }
            let r = body(UnsafeRawBufferPointer(start: p.base + start, count: p.i &- start))
            p.i &+= 1
            afterValue = true
            return r
        } else if b == JSONBytes.minus || JSONBytes.isDigit(b) {
            start = p.i
            _ = try p.parseNumber()
        } else if b == 0x6E {
            try p.parseLiteral("null")
            start = p.i
        } else {
            throw p.unexpected(expecting: "a string, a number or null")
        }
        afterValue = true
        return body(UnsafeRawBufferPointer(start: p.base + start, count: p.i &- start))
    }

    /// An integer number (no fraction, no exponent) that fits Int64, or nil for null.
    public mutating func int64() throws(JSONParseError) -> Int64? {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.unexpected(expecting: "an integer") }
        if p.base[p.i] == 0x6E {
            try p.parseLiteral("null")
            afterValue = true
            return nil
        }
        let start = p.i
        let negative = p.base[p.i] == JSONBytes.minus
        if negative { p.i &+= 1 }
        guard p.i < p.count, JSONBytes.isDigit(p.base[p.i]) else { throw p.unexpected(expecting: "an integer") }
        if p.base[p.i] == JSONBytes.zero, p.i &+ 1 < p.count, JSONBytes.isDigit(p.base[p.i &+ 1]) {
            throw p.fail(p.i, "leading zeros are not allowed")
        }
        var v: Int64 = 0
        while p.i < p.count, JSONBytes.isDigit(p.base[p.i]) {
            let d = Int64(p.base[p.i] &- JSONBytes.zero)
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1, !o2 else { throw p.fail(start, "integer out of range") }
            v = a
            p.i &+= 1
        }
        if p.i < p.count {
            let b = p.base[p.i]
            if b == JSONBytes.dot || b == JSONBytes.lowerE || b == JSONBytes.upperE {
                throw p.fail(start, "expected an integer")
            }
        }
        afterValue = true
        return v
    }

    /// true or false.
    public mutating func bool() throws(JSONParseError) -> Bool {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.unexpected(expecting: "true or false") }
        let v: Bool
        switch p.base[p.i] {
        case 0x74:
            try p.parseLiteral("true")
            v = true
        case 0x66:
            try p.parseLiteral("false")
            v = false
        default: throw p.unexpected(expecting: "true or false")
        }
        afterValue = true
        return v
    }

    /// Skips one value, checking it as strictly as the parser does (strings, numbers, nesting up to maxDepth).
    public mutating func skipValue() throws(JSONParseError) {
        var depth = 0
        // Containers open within the skipped value: true for an object.
        var kinds: [Bool] = []
        while true {
            // A value.
            p.skipWhitespace()
            guard p.i < p.count else { throw p.unexpected(expecting: "a value") }
            switch p.base[p.i] {
            case JSONBytes.openBrace, JSONBytes.openBracket:
                let isObject = p.base[p.i] == JSONBytes.openBrace
                if depth >= p.maxDepth { throw p.fail(p.i, "nesting deeper than \(p.maxDepth)") }
                p.i &+= 1
                depth &+= 1
                kinds.append(isObject)
                p.skipWhitespace()
                guard p.i < p.count else { throw p.unexpected(expecting: "a value") }
                let closer = isObject ? JSONBytes.closeBrace : JSONBytes.closeBracket
                if p.base[p.i] == closer {
                    p.i &+= 1
                    depth &-= 1
                    kinds.removeLast()
                } else {
                    if isObject { try skipKey() }
                    continue
                }
            case JSONBytes.quote: _ = try p.parseString()
            case JSONBytes.minus, JSONBytes.zero...0x39: _ = try p.parseNumber()
            case 0x74: try p.parseLiteral("true")
            case 0x66: try p.parseLiteral("false")
            case 0x6E: try p.parseLiteral("null")
            default: throw p.unexpected(expecting: "a value")
            }
            // After a value: a comma (then the next member or element) or closers.
            while true {
                guard let isObject = kinds.last else {
                    afterValue = true
                    return
                }
                p.skipWhitespace()
                guard p.i < p.count else { throw p.unexpected(expecting: isObject ? "',' or '}'" : "',' or ']'") }
                let b = p.base[p.i]
                if b == JSONBytes.comma {
                    p.i &+= 1
                    if isObject {
                        p.skipWhitespace()
                        try skipKey()
                    }
                    break
                } else if b == (isObject ? JSONBytes.closeBrace : JSONBytes.closeBracket) {
                    p.i &+= 1
                    depth &-= 1
                    kinds.removeLast()
                } else {
                    throw p.unexpected(expecting: isObject ? "',' or '}'" : "',' or ']'")
                }
            }
        }
    }

    /// A key and its ':' inside a skipped object.
    mutating func skipKey() throws(JSONParseError) {
        guard p.i < p.count, p.base[p.i] == JSONBytes.quote else { throw p.unexpected(expecting: "a string key") }
        _ = try p.parseString()
        p.skipWhitespace()
        guard p.i < p.count, p.base[p.i] == JSONBytes.colon else {
            throw p.unexpected(expecting: "':' after object key")
        }
        p.i &+= 1
    }

    /// Skips one value (checked as `skipValue` does) and returns its bytes as written.
    public mutating func rawValue() throws(JSONParseError) -> UnsafeBufferPointer<UInt8> {
        p.skipWhitespace()
        let start = p.i
        try skipValue()
        return UnsafeBufferPointer(start: p.base + start, count: p.i &- start)
    }

    /// Checks that only whitespace is left.
    public mutating func end() throws(JSONParseError) {
        p.skipWhitespace()
        if p.i < p.count { throw p.fail(p.i, "unexpected " + JSONBytes.describe(p.base[p.i]) + " after JSON value") }
    }

    /// Moves to `offset` (one the reader reported), as if a value had just been read there.
    public mutating func seek(_ offset: Int, afterValue: Bool) {
        p.i = offset
        self.afterValue = afterValue
    }
}
