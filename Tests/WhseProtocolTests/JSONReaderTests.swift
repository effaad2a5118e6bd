import Testing

@testable import WhseProtocol

/// JSONReader against JSONParser: the same documents accepted, the same values read, the same ones refused.
@Suite struct JSONReaderTests {
    /// A value read member by member with the reader (a duplicate key is an error, as in the parser).
    static func read(_ r: inout JSONReader) throws -> JSON {
        switch try r.peek() {
        case .object:
            var members: [String: JSON] = [:]
            try r.beginObject()
            while try r.nextKey() {
                let key = r.keyString
                if members[key] != nil { throw JSONParseError(offset: r.offset, message: "duplicate key") }
                members[key] = try read(&r)
            }
            return .object(members)
        case .array:
            var elements: [JSON] = []
            try r.beginArray()
            while try r.nextElement() { elements.append(try read(&r)) }
            return .array(elements)
        case .string: return .string(try r.string())
        case .number: return .number(try r.text())
        case .bool: return .bool(try r.bool())
        case .null:
            try r.skipValue()
            return .null
        }
    }

    static func withReader<R>(_ bytes: [UInt8], _ body: (inout JSONReader) throws -> R) throws -> R {
        var padded = bytes
        padded.append(0)  // a valid base address for an empty input
        return try padded.withUnsafeBufferPointer { b in
            var r = JSONReader(b.baseAddress!, count: bytes.count)
            return try body(&r)
        }
    }

    /// What the reader makes of the document: its value, or nil when refused. Also checks that skipping and
    /// taking the raw value agree with reading it.
    static func viaReader(_ bytes: [UInt8]) -> JSON? {
        let value = try? withReader(bytes) { r -> JSON in
            let v = try read(&r)
            try r.end()
            return v
        }
        let skipped: Bool
        do {
            try withReader(bytes) { r -> Void in
                try r.skipValue()
                try r.end()
            }
            skipped = true
        } catch {
            skipped = false
        }
        let raw = try? withReader(bytes) { r -> [UInt8] in
            let raw = Array(try r.rawValue())
            try r.end()
            return raw
        }
        // Skipping does not look for duplicate keys; reading does.
        if value != nil {
            #expect(skipped)
            if let raw { #expect((try? JSONParser.parse(raw)) == value) }
        } else if skipped {
            #expect((try? JSONParser.parse(bytes)) == nil)
        }
        return value
    }

    static let documents: [String] = [
        #"{}"#, #"[]"#, #" { "a" : [ 1 , 2.5e-3 , -0 , true , false , null ] } "#, #""x\"\\\/\b\f\n\r\tA""#,
        #"{"k\u00e9y":"\ud83d\ude00","é":"ü"}"#, #"[[[[{"a":{"b":[]}}]]]]"#, #"{"a":1,"b":{"c":[{"d":"e"}]}}"#,
        #"12345678901234567890"#, #"-1.0E+2"#, #"{"jsonrpc":"2.0","method":"m","params":{"seq":3}}"#,
        // Refused:
        #"{"a":1,}"#, #"[1,]"#, #"{"a" 1}"#, #"{"a":1 "b":2}"#, #"[1 2]"#, #"{"a":1]"#, #"[1}"#, #"01"#, #"1."#,
        #".5"#, #"+1"#, #"-"#, #"1e"#, #"tru"#, #"nul"#, #""abc"#, "\"a\u{1}b\"", #""\x""#, #""\ud800""#,
        #"{"a":1}x"#, #"{"a":1,"a":2}"#, #"{1:2}"#, #"["#, #"{"#, "", " ", #"[,1]"#, #"{,"a":1}"#, #"{"a":}"#
    ]

    @Test func agreesWithTheParser() {
        for d in JSONReaderTests.documents {
            let bytes = Array(d.utf8)
            let expected = try? JSONParser.parse(bytes)
            #expect(JSONReaderTests.viaReader(bytes) == expected, "\(d)")
        }
        // Invalid UTF-8 in a string and in a key.
        for bytes: [UInt8] in [[0x22, 0xC0, 0xAF, 0x22], [0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D]] {
            #expect(JSONReaderTests.viaReader(bytes) == nil)
            #expect((try? JSONParser.parse(bytes)) == nil)
        }
    }

    /// Random byte edits of valid documents: accepted and read alike, or refused by both.
    @Test func agreesOnMutations() {
        var state: UInt64 = 0x5EED_1234
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array(#"{}[],:"\ 0123456789.eE+-truefalsnl\u"#.utf8) + [0x80, 0xC3, 0xA9, 0x01]
        let seeds = JSONReaderTests.documents.prefix(10).map { Array($0.utf8) }
        for _ in 0..<3000 {
            var bytes = seeds[Int(next() % UInt64(seeds.count))]
            for _ in 0..<(1 + next() % 3) where !bytes.isEmpty {
                let at = Int(next() % UInt64(bytes.count))
                let b = alphabet[Int(next() % UInt64(alphabet.count))]
                switch next() % 3 {
                case 0: bytes[at] = b
                case 1: bytes.insert(b, at: at)
                default: bytes.remove(at: at)
                }
            }
            let expected = try? JSONParser.parse(bytes)
            #expect(JSONReaderTests.viaReader(bytes) == expected, "\(bytes)")
        }
    }

    @Test func keysAndIntegers() throws {
        let doc = Array(#"{"bin":"B1","entryNo":42,"z\u0061":-9223372036854775808,"q":null,"n":1.5}"#.utf8)
        try JSONReaderTests.withReader(doc) { r in
            let keys: [StaticString] = ["bin", "entryNo", "za"]
            var guess = 0
            try r.beginObject()
            #expect(try r.nextKey())
            #expect(r.keyIndex(in: keys, guess: &guess) == 0)
            #expect(try r.text() == "B1")
            #expect(try r.nextKey())
            #expect(r.keyIndex(in: keys, guess: &guess) == 1)
            #expect(try r.int64() == 42)
            #expect(try r.nextKey())
            #expect(r.keyIndex(in: keys, guess: &guess) == 2)  // an escaped key matches its text
            #expect(try r.int64() == Int64.min)
            #expect(try r.nextKey())
            #expect(r.keyIndex(in: keys, guess: &guess) == nil)
            #expect(try r.int64() == nil)
            #expect(try r.nextKey())
            #expect(throws: JSONParseError.self) { try r.int64() }  // not an integer
        }
        for bad in [#"9223372036854775808"#, #"1e2"#, #""1""#, "-01"] {
            #expect(throws: JSONParseError.self, "\(bad)") {
                try JSONReaderTests.withReader(Array(bad.utf8)) { r in _ = try r.int64() }
            }
        }
        // text(): strings, exact number literals, null as ""; anything else is an error.
        try JSONReaderTests.withReader(Array(#"["a",0.10000,null,true]"#.utf8)) { r in
            try r.beginArray()
            var got: [String] = []
            for _ in 0..<3 {
                #expect(try r.nextElement())
                got.append(try r.text())
            }
            #expect(got == ["a", "0.10000", ""])
            #expect(try r.nextElement())
            #expect(throws: JSONParseError.self) { try r.text() }
        }
    }
}
