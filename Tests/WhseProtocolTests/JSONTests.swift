import Testing

@testable import WhseProtocol

// MARK: - Helpers

/// A named input, so parameterized failures say which case broke.
struct JSONSample: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    init(_ name: String, _ text: String) {
        self.name = name
        self.bytes = Array(text.utf8)
    }
    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
    var testDescription: String { name }
}

private func parseError(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, maxDepth: Int = 64) -> JSONParseError? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

/// `["` + bytes + `"]`
private func inArrayString(_ bytes: [UInt8]) -> [UInt8] {
    Array(#"[""#.utf8) + bytes + Array(#""]"#.utf8)
}

/// Deterministic generator (SplitMix64) so randomized tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - JSONTestSuite-style acceptance

let mustAccept: [JSONSample] = [
    JSONSample("y_array_arraysWithSpaces", "[[]   ]"),
    JSONSample("y_array_empty-string", #"[""]"#),
    JSONSample("y_array_empty", "[]"),
    JSONSample("y_array_false", "[false]"),
    JSONSample("y_array_heterogeneous", #"[null, 1, "1", {}]"#),
    JSONSample("y_array_null", "[null]"),
    JSONSample("y_array_with_1_and_newline", "[1\n]"),
    JSONSample("y_array_with_leading_space", " [1]"),
    JSONSample("y_array_with_several_null", "[1,null,null,null,2]"),
    JSONSample("y_array_with_trailing_space", "[2] "),
    JSONSample("y_number", "[123e65]"),
    JSONSample("y_number_0e+1", "[0e+1]"),
    JSONSample("y_number_0e1", "[0e1]"),
    JSONSample("y_number_after_space", "[ 4]"),
    JSONSample(
        "y_number_double_close_to_zero",
        "[-0.000000000000000000000000000000000000000000000000000000000000000000000000000001]"),
    JSONSample("y_number_int_with_exp", "[20e1]"),
    JSONSample("y_number_minus_zero", "[-0]"),
    JSONSample("y_number_negative_int", "[-123]"),
    JSONSample("y_number_real_capital_e", "[1E22]"),
    JSONSample("y_number_real_capital_e_neg_exp", "[1E-2]"),
    JSONSample("y_number_real_capital_e_pos_exp", "[1E+2]"),
    JSONSample("y_number_real_fraction_exponent", "[123.456e78]"),
    JSONSample("y_number_huge_exp", "[1.5e+9999]"),
    JSONSample("y_number_very_big_negative_int", "[-237462374673276894279832749832423479823246327846]"),
    JSONSample("y_object_basic", #"{"asd":"sdf"}"#),
    JSONSample("y_object_empty", "{}"),
    JSONSample("y_object_empty_key", #"{"":0}"#),
    JSONSample("y_object_escaped_null_in_key", #"{"foo\u0000bar": 42}"#),
    JSONSample("y_object_extreme_numbers", #"{ "min": -1.0e+28, "max": 1.0e+28 }"#),
    JSONSample("y_object_simple", #"{"a":[]}"#),
    JSONSample("y_object_with_newlines", "{\n\"a\": \"b\"\n}"),
    JSONSample("y_string_1_2_3_bytes_UTF-8_sequences", #"["\u0060\u012a\u12AB"]"#),
    JSONSample("y_string_accepted_surrogate_pair", #"["\uD801\udc37"]"#),
    JSONSample("y_string_allowed_escapes", #"["\"\\\/\b\f\n\r\t"]"#),
    JSONSample("y_string_backslash_and_u_escaped_zero", #"["\\u0000"]"#),
    JSONSample("y_string_comments", #"["a/*b*/c/*d//e"]"#),
    JSONSample("y_string_escaped_noncharacter", #"["\uFFFF"]"#),
    JSONSample("y_string_nonCharacterInUTF-8_U+FFFF", bytes: inArrayString([0xEF, 0xBF, 0xBF])),
    JSONSample("y_string_last_surrogates_1_and_2", #"["\uDBFF\uDFFF"]"#),
    JSONSample("y_string_utf8", "[\"€𝄞\"]"),
    JSONSample("y_string_unescaped_char_delete", bytes: inArrayString([0x61, 0x7F, 0x61])),
    JSONSample("y_string_u+2028_line_sep", bytes: inArrayString([0xE2, 0x80, 0xA8])),
    JSONSample("y_string_max_scalar_utf8", bytes: inArrayString([0xF4, 0x8F, 0xBF, 0xBF])),
    JSONSample("y_structure_lonely_false", "false"),
    JSONSample("y_structure_lonely_int", "42"),
    JSONSample("y_structure_lonely_negative_real", "-0.1"),
    JSONSample("y_structure_lonely_null", "null"),
    JSONSample("y_structure_lonely_string", #""asd""#),
    JSONSample("y_structure_lonely_true", "true"),
    JSONSample("y_structure_string_empty", #""""#),
    JSONSample("y_structure_trailing_newline", "[\"a\"]\n"),
    JSONSample("y_structure_whitespace_array", " [] "),
    JSONSample("y_structure_all_whitespace_kinds", " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ 1 , 2 ] \t\r\n} \t\r\n")
]

@Test("must accept", arguments: mustAccept)
func acceptsValidJSON(_ sample: JSONSample) throws {
    let value = try JSONParser.parse(sample.bytes)
    // Whatever was accepted serializes to something that parses back to the same value.
    #expect(try JSONParser.parse(value.serialized()) == value)
}

// MARK: - JSONTestSuite-style rejection

let mustReject: [JSONSample] = [
    JSONSample("n_array_1_true_without_comma", "[1 true]"),
    JSONSample("n_array_comma_after_close", #"[""],"#),
    JSONSample("n_array_comma_and_number", "[,1]"),
    JSONSample("n_array_double_comma", "[1,,2]"),
    JSONSample("n_array_extra_close", #"["x"]]"#),
    JSONSample("n_array_extra_comma", #"["",]"#),
    JSONSample("n_array_incomplete", #"["x""#),
    JSONSample("n_array_inner_array_no_comma", "[3[4]]"),
    JSONSample("n_array_items_separated_by_semicolon", "[1:2]"),
    JSONSample("n_array_just_comma", "[,]"),
    JSONSample("n_array_just_minus", "[-]"),
    JSONSample("n_array_missing_value", #"[   , ""]"#),
    JSONSample("n_array_unclosed_trailing_comma", "[1,"),
    JSONSample("n_array_newlines_unclosed", "[\"a\",\n4\n,1,"),
    JSONSample("n_incomplete_false", "[fals]"),
    JSONSample("n_incomplete_null", "[nul]"),
    JSONSample("n_incomplete_true", "[tru]"),
    JSONSample("n_structure_capitalized_True", "[True]"),
    JSONSample("n_number_++", "[++1234]"),
    JSONSample("n_number_+1", "[+1]"),
    JSONSample("n_number_.123", "[.123]"),
    JSONSample("n_number_real_without_fractional_part", "[1.]"),
    JSONSample("n_number_2.e3", "[2.e3]"),
    JSONSample("n_number_0e", "[0e]"),
    JSONSample("n_number_1e+", "[1e+]"),
    JSONSample("n_number_1eE2", "[1eE2]"),
    JSONSample("n_number_hex", "[0x1]"),
    JSONSample("n_number_NaN", "[NaN]"),
    JSONSample("n_number_Infinity", "[Infinity]"),
    JSONSample("n_number_minus_infinity", "[-Infinity]"),
    JSONSample("n_number_with_space", "[1 000.0]"),
    JSONSample("n_number_minus_space_1", "[- 1]"),
    JSONSample("n_number_leading_zero", "[01]"),
    JSONSample("n_number_neg_int_starting_with_zero", "[-012]"),
    JSONSample("n_number_lonely_leading_zero", "00"),
    JSONSample("n_object_bad_value", #"["x", truth]"#),
    JSONSample("n_object_comma_instead_of_colon", #"{"x", null}"#),
    JSONSample("n_object_double_colon", #"{"x"::"b"}"#),
    JSONSample("n_object_garbage_at_end", #"{"a":"a" 123}"#),
    JSONSample("n_object_key_with_single_quotes", "{key: 'value'}"),
    JSONSample("n_object_missing_colon", #"{"a" b}"#),
    JSONSample("n_object_missing_key", #"{:"b"}"#),
    JSONSample("n_object_missing_value", #"{"a":"#),
    JSONSample("n_object_no-colon", #"{"a""#),
    JSONSample("n_object_non_string_key", "{1:1}"),
    JSONSample("n_object_repeated_null_null", "{null:null,null:null}"),
    JSONSample("n_object_single_quote", "{'a':0}"),
    JSONSample("n_object_trailing_comma", #"{"id":0,}"#),
    JSONSample("n_object_two_commas_in_a_row", #"{"a":"b",,"c":"d"}"#),
    JSONSample("n_object_duplicate_key", #"{"a":1,"a":2}"#),
    JSONSample("n_string_1_surrogate_then_escape", #"["\uD800\"]"#),
    JSONSample("n_string_escape_x", #"["\x00"]"#),
    JSONSample("n_string_escaped_backslash_bad", #"["\\\"]"#),
    JSONSample("n_string_escaped_ctrl_char_tab", "[\"\\\t\"]"),
    JSONSample("n_string_escaped_emoji", "[\"\\🌀\"]"),
    JSONSample("n_string_incomplete_escape", #"["\"]"#),
    JSONSample("n_string_incomplete_surrogate_escape_invalid", #"["\uD800\uD800\x"]"#),
    JSONSample("n_string_invalid_backslash_esc", #"["\a"]"#),
    JSONSample("n_string_invalid_unicode_escape", #"["\uqqqq"]"#),
    JSONSample("n_string_short_unicode_escape", #"["\u12"]"#),
    JSONSample("n_string_single_quote", "['single quote']"),
    JSONSample("n_string_unescaped_newline", "[\"new\nline\"]"),
    JSONSample("n_string_unescaped_tab", "[\"\t\"]"),
    JSONSample("n_string_unescaped_nul", bytes: inArrayString([0x61, 0x00, 0x62])),
    JSONSample("n_string_start_escape_unclosed", #"["\"#),
    JSONSample("n_string_no_quotes_with_bad_escape", #"[\n]"#),
    JSONSample("n_string_unterminated", #""abc"#),
    JSONSample("n_structure_no_data", ""),
    JSONSample("n_structure_whitespace_only", " \n\t "),
    JSONSample("n_structure_lone-open-bracket", "["),
    JSONSample("n_structure_open_object", "{"),
    JSONSample("n_structure_close_unopened_array", "1]"),
    JSONSample("n_structure_unclosed_object", #"{"asd":"asd""#),
    JSONSample("n_structure_object_with_comment", #"{"a":/*comment*/"b"}"#),
    JSONSample("n_structure_trailing_#", #"{"a":"b"}#{}"#),
    JSONSample("n_structure_double_array", "[][]"),
    JSONSample("n_structure_UTF8_BOM_no_data", bytes: [0xEF, 0xBB, 0xBF]),
    JSONSample("n_structure_UTF8_BOM_then_value", bytes: [0xEF, 0xBB, 0xBF, 0x31]),
    JSONSample("n_structure_null-byte-outside-string", bytes: Array("[".utf8) + [0x00] + Array("]".utf8)),
    JSONSample("n_multidigit_number_then_00", bytes: Array("123".utf8) + [0x00]),
    JSONSample("n_structure_angle_bracket_.", "<.>"),
    JSONSample("n_structure_whitespace_formfeed", "[\u{0C}]"),
    JSONSample("n_structure_whitespace_U+2060_word_joiner", "[\u{2060}]"),
    JSONSample("n_structure_nbsp_as_whitespace", "[\u{A0}1]"),
    JSONSample("n_single_space", " "),
    JSONSample("n_structure_comma_instead_of_closing_brace", #"{"x": true,"#)
]

@Test("must reject", arguments: mustReject)
func rejectsInvalidJSON(_ sample: JSONSample) {
    let error = parseError(sample.bytes)
    #expect(error != nil, "accepted \(sample.name)")
    if let error {
        #expect(error.offset >= 0 && error.offset <= sample.bytes.count)
        #expect(!error.message.isEmpty)
    }
}

// MARK: - Numbers

@Test(
    "numbers keep their exact literal text",
    arguments: [
        "0", "-0", "0.1", "0.10", "1.000", "1E+2", "1e2", "1e-7", "-3", "0e0", "-0.0E-0",
        "123456789012345678901234567890.123456789012345678901234567890",
        "0.30000000000000000000000000000001", "1.5e+9999", "9007199254740993"
    ])
func numbersAreExact(_ literal: String) throws {
    let value = try JSONParser.parse(literal)
    #expect(value == .number(literal))
    #expect(value.serializedString == literal)
    let inArray = try JSONParser.parse("[\(literal)]")
    #expect(inArray == .array([.number(literal)]))
    #expect(inArray.serializedString == "[\(literal)]")
}

@Test func numbersCompareByLiteral() throws {
    #expect(try JSONParser.parse("1.0") != JSONParser.parse("1"))
    #expect(try JSONParser.parse("0.1") == .number("0.1"))
}

@Test func intValueIsExactIntegersOnly() {
    #expect(JSON.number("1").intValue == 1)
    #expect(JSON.number("-0").intValue == 0)
    #expect(JSON.number("-42").intValue == -42)
    #expect(JSON.number("9223372036854775807").intValue == Int.max)
    #expect(JSON.number("-9223372036854775808").intValue == Int.min)
    #expect(JSON.number("9223372036854775808").intValue == nil)
    #expect(JSON.number("-9223372036854775809").intValue == nil)
    #expect(JSON.number("99999999999999999999999").intValue == nil)
    #expect(JSON.number("1.0").intValue == nil)
    #expect(JSON.number("1e2").intValue == nil)
    #expect(JSON.number("1E+2").intValue == nil)
    #expect(JSON.number("-").intValue == nil)
    #expect(JSON.number("").intValue == nil)
    #expect(JSON.string("1").intValue == nil)
    #expect(JSON(7) == .number("7"))
    #expect(JSON(Int.min).intValue == Int.min)
}

@Test func numberLiteralValidation() {
    for good in ["0", "-0", "1.5", "1e5", "1E-5", "-12.34e+56"] {
        #expect(JSON.isValidNumberLiteral(good), "\(good)")
        #expect(JSON(numberLiteral: good) == .number(good))
    }
    for bad in ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", "NaN", "Infinity", " 1", "1 ", "0x1", "1\n"] {
        #expect(!JSON.isValidNumberLiteral(bad), "\(bad)")
        #expect(JSON(numberLiteral: bad) == nil)
    }
    // A hand-made invalid number can't corrupt the output (or smuggle in a newline).
    #expect(JSON.array([.number("1\n2")]).serializedString == "[null]")
}

// MARK: - Strings and escaping

@Test func escapesEveryControlCharacter() throws {
    let short: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]
    let hex = Array("0123456789abcdef")
    for code in UInt8(0)..<0x20 {
        let s = String(Unicode.Scalar(code))
        let expected = short[code] ?? "\\u00\(hex[Int(code >> 4)])\(hex[Int(code & 0xF)])"
        let serialized = JSON.string("a" + s + "b").serializedString
        #expect(serialized == "\"a\(expected)b\"", "control 0x\(code)")
        #expect(!serialized.utf8.contains(where: { $0 < 0x20 }))
        #expect(try JSONParser.parse(serialized) == .string("a" + s + "b"))
    }
}

@Test func escapesQuoteAndBackslashOnly() throws {
    #expect(JSON.string(#"say "hi" \ bye"#).serializedString == #""say \"hi\" \\ bye""#)
    // '/', DEL and non-ASCII are written as-is (UTF-8).
    #expect(JSON.string("a/b\u{7F}é😀\u{2028}").serialized() == Array("\"a/b\u{7F}é😀\u{2028}\"".utf8))
    #expect(JSON.string("").serializedString == #""""#)
}

@Test func parsesAllSimpleEscapes() throws {
    #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
    #expect(try JSONParser.parse(#""prefix \n suffix é""#) == .string("prefix \n suffix é"))
}

@Test func unicodeEscapes() throws {
    #expect(try JSONParser.parse(#""\u0041""#) == .string("A"))
    #expect(try JSONParser.parse(#""\u00e9\u00E9""#) == .string("éé"))
    #expect(try JSONParser.parse(#""\u20AC""#) == .string("€"))
    #expect(try JSONParser.parse(#""\u0000""#) == .string("\u{0}"))
    #expect(try JSONParser.parse(#""\uFFFF""#) == .string("\u{FFFF}"))
    // Surrogate pairs.
    #expect(try JSONParser.parse(#""\uD83D\uDE00""#) == .string("😀"))
    #expect(try JSONParser.parse(#""\ud834\udd1e""#) == .string("𝄞"))
    #expect(try JSONParser.parse(#""\uD800\uDC00""#) == .string("\u{10000}"))
    #expect(try JSONParser.parse(#""\uDBFF\uDFFF""#) == .string("\u{10FFFF}"))
    #expect(try JSONParser.parse(#""x\uD83D\uDE00y\u00e9""#) == .string("x😀yé"))
    // An escaped pair and the raw UTF-8 give the same string.
    #expect(try JSONParser.parse(#""\uD83D\uDE00""#) == JSONParser.parse("\"😀\""))
}

@Test(
    "lone surrogate escapes are rejected",
    arguments: [
        #""\uD800""#, #""\uDBFF""#, #""\uDC00""#, #""\uDFFF""#, #""\uD800\u0041""#, #""\uD800x""#,
        #""\uDBFF\uDBFF""#, #""\uDE00\uD83D""#, #""\uD800\n""#, #""\uD800\""#, #""\uD800\u""#, #""\uD800\uDC0""#
    ])
func loneSurrogates(_ text: String) {
    let error = parseError(text)
    #expect(error != nil)
}

@Test func loneSurrogateMessage() {
    let error = parseError(#"["ab\uD800"]"#)
    #expect(error?.offset == 4)
    #expect(error?.message.contains("lone surrogate") == true)
    #expect(error?.message.contains("D800") == true)
}

// MARK: - UTF-8 validation

let invalidUTF8: [JSONSample] = [
    JSONSample("lone continuation byte", bytes: [0x80]),
    JSONSample("lone continuation byte 0xBF", bytes: [0xBF]),
    JSONSample("overlong NUL C0 80", bytes: [0xC0, 0x80]),
    JSONSample("overlong C1 BF", bytes: [0xC1, 0xBF]),
    JSONSample("overlong 3-byte E0 80 80", bytes: [0xE0, 0x80, 0x80]),
    JSONSample("overlong 3-byte E0 9F BF", bytes: [0xE0, 0x9F, 0xBF]),
    JSONSample("overlong 4-byte F0 80 80 80", bytes: [0xF0, 0x80, 0x80, 0x80]),
    JSONSample("overlong 4-byte F0 8F BF BF", bytes: [0xF0, 0x8F, 0xBF, 0xBF]),
    JSONSample("UTF-8 surrogate ED A0 80", bytes: [0xED, 0xA0, 0x80]),
    JSONSample("UTF-8 surrogate ED BF BF", bytes: [0xED, 0xBF, 0xBF]),
    JSONSample("UTF-8 surrogate pair", bytes: [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]),
    JSONSample("above U+10FFFF F4 90 80 80", bytes: [0xF4, 0x90, 0x80, 0x80]),
    JSONSample("F5 lead", bytes: [0xF5, 0x80, 0x80, 0x80]),
    JSONSample("F8 5-byte lead", bytes: [0xF8, 0x88, 0x80, 0x80, 0x80]),
    JSONSample("FC 6-byte lead", bytes: [0xFC, 0x84, 0x80, 0x80, 0x80, 0x80]),
    JSONSample("FE", bytes: [0xFE]),
    JSONSample("FF", bytes: [0xFF]),
    JSONSample("truncated 2-byte C3", bytes: [0xC3]),
    JSONSample("truncated 3-byte E2 82", bytes: [0xE2, 0x82]),
    JSONSample("truncated 4-byte F0 9F 98", bytes: [0xF0, 0x9F, 0x98]),
    JSONSample("lead then ASCII C3 41", bytes: [0xC3, 0x41]),
    JSONSample("3-byte with bad third E2 82 41", bytes: [0xE2, 0x82, 0x41]),
    JSONSample("4-byte with bad fourth F0 9F 98 41", bytes: [0xF0, 0x9F, 0x98, 0x41]),
    JSONSample("Latin-1 é", bytes: [0xE9])
]

@Test("invalid UTF-8 inside strings is rejected", arguments: invalidUTF8)
func rejectsInvalidUTF8(_ sample: JSONSample) {
    // `["ab` + bad + `"]`: the bad sequence starts at offset 4.
    let input = inArrayString(Array("ab".utf8) + sample.bytes)
    let error = parseError(input)
    #expect(error?.message == "invalid UTF-8")
    #expect(error?.offset == 4)
    #expect(error?.description == "invalid UTF-8 at offset 4")
    // Also in an escaped (slow-path) string and in an object key.
    #expect(parseError(inArrayString(Array(#"\n"#.utf8) + sample.bytes))?.message == "invalid UTF-8")
    #expect(parseError(Array(#"{""#.utf8) + sample.bytes + Array(#"":1}"#.utf8))?.message == "invalid UTF-8")
    // And after a long ASCII run (the 8-bytes-at-a-time scan).
    let long = Array(repeating: UInt8(ascii: "x"), count: 37)
    #expect(parseError(inArrayString(long + sample.bytes))?.offset == 2 + 37)
}

@Test func truncatedUTF8AtEndOfInput() {
    for bad: [UInt8] in [[0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98]] {
        let error = parseError([0x22] + bad)
        #expect(error?.message == "invalid UTF-8")
        #expect(error?.offset == 1)
    }
}

@Test func validMultibyteUTF8() throws {
    let text = "aé€😀\u{10FFFF}\u{FFFD}\u{800}\u{7FF}\u{80}\u{FFFF}\u{10000}\u{D7FF}\u{E000}"
    #expect(try JSONParser.parse("\"\(text)\"") == .string(text))
    #expect(try JSONParser.parse("{\"\(text)\":\"\(text)\\n\"}") == .object([text: .string(text + "\n")]))
}

@Test func nonASCIIOutsideStringsIsUnexpected() {
    let error = parseError([0xC3, 0xA9])
    #expect(error?.offset == 0)
    #expect(error?.message.contains("unexpected byte 0xC3") == true)
}

// MARK: - Depth

private func nested(_ depth: Int, open: String = "[", close: String = "]", inner: String = "") -> String {
    String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
}

@Test func depth64AcceptedAnd65Rejected() throws {
    var value = try JSONParser.parse(nested(64))
    var depth = 0
    while case .array(let a) = value {
        depth += 1
        value = a.first ?? .null
    }
    #expect(depth == 64)
    #expect(try JSONParser.parse(nested(64, inner: "1")) != .null)

    let error = parseError(nested(65))
    #expect(error?.message == "nesting deeper than 64")
    #expect(error?.offset == 64)
    #expect(parseError(nested(65, inner: "1"))?.message == "nesting deeper than 64")

    // Objects count too, and mixed nesting.
    let objects64 = String(repeating: #"{"a":"#, count: 63) + "{}" + String(repeating: "}", count: 63)
    #expect(try JSONParser.parse(objects64) != .null)
    let objects65 = String(repeating: #"{"a":"#, count: 64) + "{}" + String(repeating: "}", count: 64)
    #expect(parseError(objects65)?.message == "nesting deeper than 64")
    let mixed65 = String(repeating: #"[{"k":"#, count: 33) + String(repeating: "}]", count: 33)
    #expect(parseError(mixed65)?.message == "nesting deeper than 64")
}

@Test func customMaxDepth() throws {
    #expect(try JSONParser.parse("[[1]]", maxDepth: 2) == [[1]])
    #expect(parseError("[[[1]]]", maxDepth: 2)?.message == "nesting deeper than 2")
    #expect(try JSONParser.parse("7", maxDepth: 0) == 7)
    #expect(parseError("[]", maxDepth: 0)?.message == "nesting deeper than 0")
    let deep = try JSONParser.parse(nested(1000, inner: "true"), maxDepth: 1000)
    #expect(try JSONParser.parse(deep.serialized(), maxDepth: 1000) == deep)
}

@Test func hundredThousandOpenBracketsRejectedWithoutCrashing() {
    let input = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
    let error = parseError(input)
    #expect(error?.message == "nesting deeper than 64")
    #expect(error?.offset == 64)
    // Even with no depth limit, the iterative parser must not overflow the stack.
    let unlimited = parseError(input, maxDepth: .max)
    #expect(unlimited?.message.hasPrefix("unexpected end of input") == true)
    #expect(unlimited?.offset == 100_000)
    let objects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
    #expect(parseError(objects)?.message == "nesting deeper than 64")
    #expect(parseError(objects, maxDepth: .max) != nil)
}

// MARK: - Objects

@Test func duplicateKeysRejected() {
    let error = parseError(#"{"a":1,"b":2,"a":3}"#)
    #expect(error?.message == #"duplicate key "a""#)
    #expect(error?.offset == 13)
    #expect(error?.description == #"duplicate key "a" at offset 13"#)
    // Same key spelled differently is still the same key.
    #expect(parseError(#"{"a":1,"\u0061":2}"#)?.message == #"duplicate key "a""#)
    // Nested duplicates.
    #expect(parseError(#"[{"x":{"k":null,"k":null}}]"#)?.message == #"duplicate key "k""#)
    // Keys needing escapes are shown escaped.
    #expect(parseError(#"{"q\"\n":1,"q\"\n":2}"#)?.message == #"duplicate key "q\"\n""#)
    // Canonically equivalent keys are equal Swift Strings, so they collide too.
    #expect(parseError("{\"\u{E9}\":1,\"e\u{301}\":2}")?.message.hasPrefix("duplicate key") == true)
}

@Test func sameKeyInDifferentObjectsIsFine() throws {
    let value = try JSONParser.parse(#"[{"a":1},{"a":2},{"a":{"a":3}}]"#)
    #expect(value[2]?["a"]?["a"]?.intValue == 3)
}

@Test func serializationSortsKeys() throws {
    let value = try JSONParser.parse(#"{"b":1, "a":{"z":true,"y":null}, "c":[], "":"e", "B":0, "é":1, "aa":2}"#)
    #expect(value.serializedString == #"{"":"e","B":0,"a":{"y":null,"z":true},"aa":2,"b":1,"c":[],"é":1}"#)
}

// MARK: - Trailing garbage and messages

@Test(
    "trailing garbage is rejected",
    arguments: [
        "1 2", "{} x", "[]]", "null,", #""a""b""#, "1x", "truex", "[1] [2]", "0 0", "{}}", "1.5.", "\"a\"\u{0}"
    ])
func trailingGarbage(_ text: String) {
    let error = parseError(text)
    #expect(error != nil)
}

@Test func readableMessages() {
    let e1 = parseError(#"{"a": [1, 2, x]}"#)
    #expect(e1?.offset == 13)
    #expect(e1?.description.hasPrefix("unexpected character 'x'") == true)
    #expect(e1?.description.hasSuffix("at offset 13") == true)

    let e2 = parseError(#"["abc"#)
    #expect(e2?.message == "unterminated string")
    #expect(e2?.offset == 1)

    let e3 = parseError("")
    #expect(e3?.message.hasPrefix("unexpected end of input") == true)
    #expect(e3?.offset == 0)

    let e4 = parseError("[1] x")
    #expect(e4?.message == "unexpected character 'x' after JSON value")
    #expect(e4?.offset == 4)

    let e5 = parseError("[01]")
    #expect(e5?.message == "leading zeros are not allowed")
    #expect(e5?.offset == 1)

    let e6 = parseError("[\"a\nb\"]")
    #expect(e6?.message == "unescaped control character 0x0A in string")
    #expect(e6?.offset == 3)

    let e7 = parseError(#"["\q"]"#)
    #expect(e7?.message == #"invalid escape sequence '\q' in string"#)
    #expect(e7?.offset == 2)

    let e8 = parseError("[tru]")
    #expect(e8?.message.contains("'true'") == true)
}

// MARK: - API surface

@Test func entryPointsAgree() throws {
    let text = #" {"k": ["v", 1.50, true, null]} "#
    let fromString = try JSONParser.parse(text)
    let fromArray = try JSONParser.parse(Array(text.utf8))
    let fromBuffer = try Array(text.utf8).withUnsafeBytes { raw throws(JSONParseError) in try JSONParser.parse(raw) }
    #expect(fromString == fromArray)
    #expect(fromString == fromBuffer)
    #expect(fromString == ["k": ["v", .number("1.50"), true, .null]])
    let empty = UnsafeRawBufferPointer(start: nil, count: 0)
    #expect(throws: JSONParseError.self) { try JSONParser.parse(empty) }
}

@Test func convenienceAccessors() throws {
    let v = try JSONParser.parse(#"{"jsonrpc":"2.0","id":7,"method":"ping","params":[1,"x",null,false],"n":null}"#)
    #expect(v["jsonrpc"]?.stringValue == "2.0")
    #expect(v["id"]?.intValue == 7)
    #expect(v["id"]?.numberLiteral == "7")
    #expect(v["method"] == "ping")
    #expect(v["missing"] == nil)
    #expect(v["n"]?.isNull == true)
    #expect(v["params"]?[1]?.stringValue == "x")
    #expect(v["params"]?[3]?.boolValue == false)
    #expect(v["params"]?[4] == nil)
    #expect(v["params"]?[-1] == nil)
    #expect(v["params"]?.arrayValue?.count == 4)
    #expect(v.objectValue?.count == 5)
    #expect(JSON.string("x")["a"] == nil)
    #expect(JSON.null.isNull)
    #expect(!JSON.bool(false).isNull)
    #expect(JSON("s") == .string("s"))
    #expect(JSON(true) == .bool(true))
    #expect(JSON([JSON(1)]) == .array([.number("1")]))
    #expect(JSON(["a": JSON(1)]) == .object(["a": .number("1")]))
    #expect(("a" as JSON) == .string("a"))
    #expect((["a": 1, "a": 2] as JSON) == .object(["a": .number("2")]))
    #expect(JSON.object(["b": [1, "two"]]).description == #"{"b":[1,"two"]}"#)
}

@Test func serializedOutputIsCompact() {
    let v: JSON = ["a": [1, 2, ["b": .null]], "s": "line1\nline2\r\n", "t": true, "f": false]
    #expect(v.serializedString == #"{"a":[1,2,{"b":null}],"f":false,"s":"line1\nline2\r\n","t":true}"#)
    var buffer: [UInt8] = Array("prefix:".utf8)
    v.serialize(into: &buffer)
    #expect(buffer == Array("prefix:".utf8) + v.serialized())
}

// MARK: - Round trips

@Test func fixedRoundTrips() throws {
    let values: [JSON] = [
        .null, true, false, 0, -1, .number("0.10"), .number("-0"), .number("1E+2"), "", "plain",
        "quote \" backslash \\ slash / tab \t nul \u{0}", "é😀\u{10FFFF}\u{FEFF}", [], [:], [[[]]], ["": [:]],
        ["a": 1, "b": [true, false, .null, "x", ["y": .number("2.50")]]]
    ]
    for value in values {
        let bytes = value.serialized()
        #expect(!bytes.contains(0x0A))
        #expect(try JSONParser.parse(bytes) == value)
        #expect(try JSONParser.parse(value.serializedString) == value)
    }
}

private func randomNumberLiteral(_ rng: inout SplitMix64) -> String {
    var s = Bool.random(using: &rng) ? "-" : ""
    if Int.random(in: 0..<4, using: &rng) == 0 {
        s += "0"
    } else {
        s += String(Int.random(in: 1...9, using: &rng))
        for _ in 0..<Int.random(in: 0..<25, using: &rng) { s += String(Int.random(in: 0...9, using: &rng)) }
    }
    if Bool.random(using: &rng) {
        s += "."
        for _ in 0..<Int.random(in: 1..<20, using: &rng) { s += String(Int.random(in: 0...9, using: &rng)) }
    }
    if Int.random(in: 0..<3, using: &rng) == 0 {
        s += ["e", "E"].randomElement(using: &rng)!
        s += ["", "+", "-"].randomElement(using: &rng)!
        for _ in 0..<Int.random(in: 1..<4, using: &rng) { s += String(Int.random(in: 0...9, using: &rng)) }
    }
    return s
}

private func randomString(_ rng: inout SplitMix64) -> String {
    let pool: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}",
        "é", "€", "😀", "\u{2028}", "\u{FFFF}", "\u{10FFFF}", "\u{301}"
    ]
    var scalars = String.UnicodeScalarView()
    let length = Int.random(in: 0..<(Bool.random(using: &rng) ? 6 : 40), using: &rng)
    for _ in 0..<length {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            scalars.append(pool.randomElement(using: &rng)!)
        case 1:
            // Any scalar at all (surrogate code points are not scalars; skip them).
            if let s = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &rng)) { scalars.append(s) }
        default:
            scalars.append(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)))
        }
    }
    return String(scalars)
}

private func randomJSON(_ rng: inout SplitMix64, depth: Int) -> JSON {
    let leafOnly = depth >= 6
    switch Int.random(in: 0..<(leafOnly ? 5 : 7), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .number(randomNumberLiteral(&rng))
    case 3, 4: return .string(randomString(&rng))
    case 5:
        return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1) })
    default:
        var members: [String: JSON] = [:]
        for _ in 0..<Int.random(in: 0..<5, using: &rng) {
            members[randomString(&rng)] = randomJSON(&rng, depth: depth + 1)
        }
        return .object(members)
    }
}

@Test func randomizedRoundTrips() throws {
    var rng = SplitMix64(seed: 0x5EED_1234)
    for n in 0..<4000 {
        let value = randomJSON(&rng, depth: 0)
        let bytes = value.serialized()
        #expect(!bytes.contains(0x0A), "newline in output #\(n)")
        let parsed = try JSONParser.parse(bytes)
        #expect(parsed == value, "round trip #\(n): \(value.serializedString)")
        // Deterministic: serializing again gives identical bytes.
        #expect(parsed.serialized() == bytes)
    }
}

@Test func randomizedMutationsNeverTrap() throws {
    // A small in-process fuzz: corrupt valid documents and check the parser
    // either throws or returns something that round-trips.
    var rng = SplitMix64(seed: 0xF022)
    let alphabet = Array(#"[]{}",:\/0123456789-+.eEtrufalsn "#.utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
    for _ in 0..<3000 {
        var bytes = randomJSON(&rng, depth: 2).serialized()
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] = alphabet.randomElement(using: &rng)!
            case 1 where !bytes.isEmpty: bytes.remove(at: position)
            case 2: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            default: bytes = Array(bytes.prefix(position))
            }
        }
        do {
            let value = try JSONParser.parse(bytes)
            #expect(try JSONParser.parse(value.serialized()) == value)
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count)
        }
    }
}
