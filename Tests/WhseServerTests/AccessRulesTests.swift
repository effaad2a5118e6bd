import Foundation
import Testing
import WhseProtocol

@testable import WhseCore
@testable import WhseServer

#if canImport(Glibc)
    import Glibc
#endif

/// The access file's grammar (protocol.md section 7): what is accepted, and that everything else is refused with its
/// line number instead of being read leniently.
@Suite struct AccessRulesTests {
    /// The uid whsed "runs as" in these tests: neither root nor a real user, so rules for real users are allowed.
    static let owner: UInt32 = 4_000_000_000
    static let hasNobody = getpwnam("nobody") != nil && getgrnam(nobodyGroup) != nil
    static let nobodyGroup = getgrnam("nogroup") != nil ? "nogroup" : "nobody"

    func parse(_ text: String) throws -> AccessRules {
        try AccessRules.parse(Array(text.utf8), ownerUID: AccessRulesTests.owner)
    }

    /// The error for `bytes`, which must be refused.
    func refusal(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> AccessRules.ParseError? {
        do {
            _ = try AccessRules.parse(bytes, ownerUID: AccessRulesTests.owner)
            Issue.record(
                "accepted: \(String(decoding: bytes, as: UTF8.self).debugDescription)",
                sourceLocation: sourceLocation)
            return nil
        } catch let e as AccessRules.ParseError {
            return e
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    func expectRefused(
        _ text: String, line: Int, _ fragment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectRefused(Array(text.utf8), line: line, fragment, sourceLocation: sourceLocation)
    }

    func expectRefused(
        _ bytes: [UInt8], line: Int, _ fragment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let e = refusal(bytes, sourceLocation: sourceLocation) else { return }
        #expect(e.line == line, "\(e)", sourceLocation: sourceLocation)
        #expect(e.message.contains(fragment), "\(e)", sourceLocation: sourceLocation)
        #expect(e.description.hasPrefix("access file line \(line): "), sourceLocation: sourceLocation)
    }

    @Test func acceptsTheDocumentedGrammar() throws {
        let r = try parse(
            """
            # comment line
            \tdefault\tpost   # trailing comment

            uid 1001 admin
            gid 1002 read#comment right after the role
            uid 4294967294 read
            gid 0 read
            """)
        #expect(r.defaultAccess == .post)
        #expect(r.rules.map(\.0) == [.uid(1001), .gid(1002), .uid(4_294_967_294), .gid(0)])
        #expect(r.rules.map(\.1) == [.admin, .read, .read, .read])
        #expect(try parse("").rules.isEmpty)
        #expect(try parse("").defaultAccess == .read)
        #expect(try parse("\n\n# only comments\n").defaultAccess == .read)
        #expect(try parse("default admin").defaultAccess == .admin, "a last line without a newline")
    }

    @Test func rolesResolveHighestRuleThenDefault() throws {
        let r = try parse("default post\nuid 1001 read\ngid 50 admin\n")
        #expect(r.role(uid: 1001, gid: 1001, groups: []) == .read, "a matching rule replaces the default")
        #expect(r.role(uid: 1001, gid: 1001, groups: [50]) == .admin, "the highest matching rule wins")
        #expect(r.role(uid: 1002, gid: 50, groups: []) == .admin, "the peer's own gid matches")
        #expect(r.role(uid: 1002, gid: 1002, groups: []) == .post)
        #expect(r.role(uid: 0, gid: 0, groups: []) == .admin)
        #expect(r.role(uid: AccessRulesTests.owner, gid: 1, groups: []) == .admin)
    }

    @Test(.enabled(if: hasNobody)) func namesResolveThroughTheUserAndGroupDatabases() throws {
        let uid = getpwnam("nobody")!.pointee.pw_uid
        let gid = getgrnam(AccessRulesTests.nobodyGroup)!.pointee.gr_gid
        let r = try parse("user nobody post\ngroup \(AccessRulesTests.nobodyGroup) read\n")
        #expect(r.rules.map(\.0) == [.uid(uid), .gid(gid)])
        expectRefused("uid \(uid) read\nuser nobody post\n", line: 2, "a second rule for uid \(uid)")
        expectRefused(
            "group \(AccessRulesTests.nobodyGroup) read\n\ngid \(gid) read\n", line: 3,
            "a second rule for gid \(gid)")
    }

    @Test func aSecondDefaultIsRefused() {
        expectRefused("default read\ndefault admin\n", line: 2, "a second `default` line (line 1 has one already)")
        expectRefused("default read\n# x\ndefault read\n", line: 3, "a second `default`")
    }

    @Test func numbersAreDecimalDigitsWithoutSignOrLeadingZero() {
        expectRefused("uid +65534 read\n", line: 1, "uid \"+65534\" is not a number")
        expectRefused("# c\nuid 0065534 read\n", line: 2, "uid \"0065534\" has a leading zero")
        expectRefused("gid 00 read\n", line: 1, "leading zero")
        expectRefused("uid -1 read\n", line: 1, "not a number")
        expectRefused("uid 0x10 read\n", line: 1, "not a number")
        expectRefused("uid 1e3 read\n", line: 1, "not a number")
        expectRefused("uid ١٢ read\n", line: 1, "not a number")
        expectRefused("uid 1_000 read\n", line: 1, "not a number")
        expectRefused("uid 4294967295 read\n", line: 1, "out of range (0 to 4294967294)")
        expectRefused("gid 99999999999 read\n", line: 1, "out of range")
        expectRefused("gid 999999999999999999999999 read\n", line: 1, "out of range")
    }

    @Test func oneRulePerPrincipal() {
        expectRefused("uid 1001 read\nuid 1001 read\n", line: 2, "a second rule for uid 1001")
        expectRefused(
            "uid 1001 read\ngid 1001 post\nuid 1001 admin\n", line: 3,
            "after `uid 1001` on line 1")
        expectRefused("gid 7 read\ngid 7 admin\n", line: 2, "a second rule for gid 7")
    }

    @Test func rulesThatCannotApplyAreRefused() {
        expectRefused("uid 0 read\n", line: 1, "is root, always admin")
        expectRefused("user root post\n", line: 1, "`user root` is root")
        expectRefused("uid \(AccessRulesTests.owner) read\n", line: 1, "the user whsed runs as")
    }

    @Test func trailingAndMissingWordsAreRefused() {
        expectRefused("uid 1001 post extra\n", line: 1, "unexpected \"extra\" after `uid N ROLE`")
        expectRefused("default read admin\n", line: 1, "unexpected \"admin\" after `default ROLE`")
        expectRefused("user alice post now please\n", line: 1, "unexpected \"now please\"")
        expectRefused("default\n", line: 1, "incomplete rule: expected `default ROLE`")
        expectRefused("uid 1001\n", line: 1, "incomplete rule: expected `uid N ROLE`")
        expectRefused("group\n", line: 1, "expected `group NAME ROLE`")
    }

    @Test func keywordsRolesAndNamesAreExact() {
        expectRefused("Default read\n", line: 1, "unknown keyword \"Default\"")
        expectRefused("users alice read\n", line: 1, "unknown keyword")
        expectRefused("uid 1001 Read\n", line: 1, "unknown role \"Read\"")
        expectRefused("uid 1001 write\n", line: 1, "unknown role")
        expectRefused("user no-such-user-whsed post\n", line: 1, "unknown user \"no-such-user-whsed\"")
        expectRefused("group no-such-group-whsed post\n", line: 1, "unknown group")
        expectRefused("user 1001 post\n", line: 1, "(for a number, write `uid 1001`)")
        expectRefused("user \(String(repeating: "a", count: 257)) post\n", line: 1, "longer than 256 bytes")
    }

    @Test func bytesThatAreNotPlainUTF8TextAreRefusedWithTheLine() {
        expectRefused(
            Array("default read\n# ok\nuid 1001 ".utf8) + [0xFF] + Array(" read\n".utf8), line: 3,
            "not valid UTF-8 at byte 10 of the line")
        expectRefused(Array("# caf".utf8) + [0xC3] + Array("\n".utf8), line: 1, "not valid UTF-8")
        expectRefused(Array("# ".utf8) + [0xED, 0xA0, 0x80] + Array("\n".utf8), line: 1, "not valid UTF-8")
        expectRefused("default read\r\nuid 1001 post\r\n", line: 1, "a carriage return (U+000D)")
        expectRefused(
            Array("default read\nuid 1001".utf8) + [0] + Array(" post\n".utf8), line: 2,
            "a control character (U+0000)")
        expectRefused("uid\u{0B}1001 post\n", line: 1, "a control character (U+000B)")
        expectRefused("# \u{85}\n", line: 1, "a control character (U+0085)")
        expectRefused("\u{FEFF}default read\n", line: 1, "a byte-order mark (U+FEFF)")
        #expect(throws: Never.self) { try parse("# Ærø – ünïcødé comments are fine\ndefault read\n") }
    }

    @Test func loadReadsTheFileAndRefusesOneTooLarge() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whsed-access-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = dir + "/good"
        try "default post\nuid 1001 admin\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try AccessRules.load(path: good).defaultAccess == .post)
        let big = dir + "/big"
        let blankLines = Data(repeating: UInt8(ascii: "\n"), count: AccessRules.maxFileBytes + 1)
        try blankLines.write(to: URL(fileURLWithPath: big))
        #expect(throws: AccessRules.ParseError(line: nil, message: "\(big) is larger than 1048576 bytes")) {
            try AccessRules.load(path: big)
        }
        do {
            _ = try AccessRules.load(path: dir + "/missing")
            Issue.record("a missing file was accepted")
        } catch let e as AccessRules.ParseError {
            #expect(e.line == nil)
            #expect(e.description.hasPrefix("access file: cannot open"), "\(e)")
        }
    }
}
