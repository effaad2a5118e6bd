import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// The access file (protocol.md section 7): read once at start, and refused as a whole, with its line number, at the
/// first thing that is not exactly the grammar. Leniency here would start whsed with a policy other than the one the
/// administrator reads in the file: a second `default` silently winning, `uid +65534` read as 65534, a second rule for
/// the same user raising its role, a rule for root that can never apply.
extension AccessRules {
    /// An access file that whsed refuses. `line` is 1-based; nil when the file as a whole is refused.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int?
        public var message: String
        public var description: String {
            line.map { "access file line \($0): \(message)" } ?? "access file: \(message)"
        }
    }

    /// The largest access file accepted: a policy is a few lines, and `--access /dev/zero` must not eat the memory.
    public static let maxFileBytes = 1 << 20
    /// The longest user or group name looked up (LOGIN_NAME_MAX on Linux).
    static let maxNameBytes = 256

    /// Reads and parses the access file at `path`.
    public static func load(path: String) throws -> AccessRules {
        try parse(readFile(path))
    }

    /// Parses an access file. `ownerUID` is the uid whsed runs as, always admin like root.
    public static func parse(_ bytes: [UInt8], ownerUID: UInt32 = getuid()) throws -> AccessRules {
        var rules = AccessRules()
        rules.ownerUID = ownerUID
        var defaultLine: Int? = nil
        var ruleLines: [Subject: (line: Int, written: String)] = [:]
        for (index, raw) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let text = try decode(raw, line: line)
            let content = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = words.first else { continue }
            let parser = LineParser(line: line, words: words, ownerUID: ownerUID)
            switch keyword {
            case "default":
                let access = try parser.defaultRule()
                if let first = defaultLine {
                    throw ParseError(line: line, message: "a second `default` line (line \(first) has one already)")
                }
                rules.defaultAccess = access
                defaultLine = line
            case "user", "uid", "group", "gid":
                let (subject, access) = try parser.rule()
                let written = "\(keyword) \(words[1])"
                if let earlier = ruleLines[subject] {
                    throw ParseError(
                        line: line,
                        message: "a second rule for \(describe(subject)): `\(written)`, "
                            + "after `\(earlier.written)` on line \(earlier.line); give each one rule")
                }
                ruleLines[subject] = (line, written)
                rules.rules.append((subject, access))
            default:
                throw ParseError(
                    line: line,
                    message: "unknown keyword \"\(keyword)\" "
                        + "(expected default, user, uid, group or gid)")
            }
        }
        return rules
    }

    private static func describe(_ subject: Subject) -> String {
        switch subject {
        case .uid(let u): return "uid \(u)"
        case .gid(let g): return "gid \(g)"
        }
    }

    /// One line as text: valid UTF-8, no control character but the tab, no byte-order mark.
    static func decode(_ raw: ArraySlice<UInt8>, line: Int) throws -> String {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = raw.makeIterator()
        var text = ""
        var column = 1
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if let problem = refused(scalar) {
                    throw ParseError(line: line, message: "\(problem) at byte \(column) of the line")
                }
                text.unicodeScalars.append(scalar)
                column += encoded.count
            case .error:
                throw ParseError(line: line, message: "not valid UTF-8 at byte \(column) of the line")
            case .emptyInput:
                return text
            }
        }
    }

    private static func refused(_ scalar: Unicode.Scalar) -> String? {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        let hex = "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        switch scalar.value {
        case 9: return nil
        case 13: return "a carriage return (\(hex)); the file must have Unix line ends"
        case 0..<0x20, 0x7F..<0xA0: return "a control character (\(hex))"
        case 0xFEFF: return "a byte-order mark (\(hex)); save the file as UTF-8 without one"
        default: return nil
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        func failure(_ what: String) -> ParseError {
            ParseError(line: nil, message: "cannot \(what) \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read")
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > maxFileBytes {
                throw ParseError(line: nil, message: "\(path) is larger than \(maxFileBytes) bytes")
            }
        }
    }
}

/// The words of one rule line, checked against the grammar.
private struct LineParser {
    let line: Int
    let words: [String]
    let ownerUID: UInt32

    func fail(_ message: String) -> AccessRules.ParseError { .init(line: line, message: message) }

    /// `default ROLE`
    func defaultRule() throws -> Access {
        try shape(2, "default ROLE")
        return try role(words[1])
    }

    /// `user NAME ROLE`, `uid N ROLE`, `group NAME ROLE`, `gid N ROLE`
    func rule() throws -> (AccessRules.Subject, Access) {
        let keyword = words[0]
        try shape(3, keyword == "user" || keyword == "group" ? "\(keyword) NAME ROLE" : "\(keyword) N ROLE")
        let subject: AccessRules.Subject
        switch keyword {
        case "user": subject = .uid(try lookup(words[1], group: false))
        case "group": subject = .gid(try lookup(words[1], group: true))
        case "uid": subject = .uid(try number(words[1]))
        default: subject = .gid(try number(words[1]))
        }
        let access = try role(words[2])
        if case .uid(let uid) = subject {
            if uid == 0 {
                throw fail("`\(keyword) \(words[1])` is root, always admin: a rule for it would have no effect")
            }
            if uid == ownerUID {
                throw fail(
                    "`\(keyword) \(words[1])` is the user whsed runs as, always admin: "
                        + "a rule for it would have no effect")
            }
        }
        return (subject, access)
    }

    private func shape(_ count: Int, _ form: String) throws {
        if words.count < count { throw fail("incomplete rule: expected `\(form)`") }
        if words.count > count {
            throw fail("unexpected \"\(words[count...].joined(separator: " "))\" after `\(form)`")
        }
    }

    private func role(_ word: String) throws -> Access {
        guard let access = Access(rawValue: word) else {
            throw fail("unknown role \"\(word)\" (read, post or admin)")
        }
        return access
    }

    /// A uid or gid: decimal digits, no sign, no leading zero, below 4294967295 (which is `(uid_t)-1`).
    private func number(_ word: String) throws -> UInt32 {
        let kind = words[0]
        guard word.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw fail("\(kind) \"\(word)\" is not a number: write decimal digits only, without a sign")
        }
        guard word == "0" || !word.hasPrefix("0") else {
            throw fail("\(kind) \"\(word)\" has a leading zero")
        }
        guard word.utf8.count <= 10, let value = UInt64(word), value < UInt64(UInt32.max) else {
            throw fail("\(kind) \(word) is out of range (0 to \(UInt32.max - 1))")
        }
        return UInt32(value)
    }

    /// The uid of a user name or the gid of a group name, from the password and group databases (NSS).
    private func lookup(_ name: String, group: Bool) throws -> UInt32 {
        let kind = group ? "group" : "user"
        guard name.utf8.count <= AccessRules.maxNameBytes else {
            throw fail("\(kind) name longer than \(AccessRules.maxNameBytes) bytes")
        }
        var size = 4096
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            var id: UInt32 = 0
            var found = false
            let rc: Int32
            if group {
                var entry = Glibc.group()
                var result: UnsafeMutablePointer<Glibc.group>? = nil
                rc = getgrnam_r(name, &entry, &buffer, size, &result)
                if rc == 0, result != nil {
                    id = entry.gr_gid
                    found = true
                }
            } else {
                var entry = passwd()
                var result: UnsafeMutablePointer<passwd>? = nil
                rc = getpwnam_r(name, &entry, &buffer, size, &result)
                if rc == 0, result != nil {
                    id = entry.pw_uid
                    found = true
                }
            }
            if rc == ERANGE && size < 1 << 20 {
                size *= 2
                continue
            }
            if found { return id }
            // 0, ENOENT, ESRCH, EBADF and EPERM all mean "no such name" (getpwnam_r(3)).
            if rc != 0 && ![ENOENT, ESRCH, EBADF, EPERM].contains(rc) {
                throw fail("cannot look up \(kind) \"\(name)\": \(String(cString: strerror(rc)))")
            }
            let hint =
                name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
                ? " (for a number, write `\(group ? "gid" : "uid") \(name)`)" : ""
            throw fail("unknown \(kind) \"\(name)\"\(hint)")
        }
    }
}
