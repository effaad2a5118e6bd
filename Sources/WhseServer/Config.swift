#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WhseProtocol

/// The daemon's limits. Each is named in protocol.md; over a limit a request gets `limit_exceeded`.
public struct Limits: Sendable {
    /// Longest request line in bytes (`maxLineBytes`).
    public var maxLineBytes = 4 << 20
    /// Lines in one journal request (`maxJournalLines`).
    public var maxJournalLines = 10_000
    /// Requests read ahead on one connection before whsed stops reading from it (`maxPipelinedRequests`).
    public var maxPipelinedRequests = 256
    /// Open connections (`maxConnections`).
    public var maxConnections = 1024
    /// Elements of one JSON-RPC batch (`maxBatchRequests`).
    public var maxBatchRequests = 1000
    /// JSON nesting depth (`maxJsonDepth`).
    public var maxJsonDepth = 64
    /// Open count journals, warehouse and item phys. inventory together (`maxOpenCountJournals`).
    public var maxOpenCountJournals = 64
    /// Seconds a connection may stay idle before whsed closes it; 0 = never (`idleTimeoutSeconds`).
    public var idleTimeoutSeconds = 600
    public init() {}
}

/// Maps a connection's peer credentials to a role (read, post, admin).
public struct AccessRules: Sendable {
    public enum Subject: Sendable, Hashable { case uid(UInt32), gid(UInt32) }
    public var rules: [(Subject, Access)] = []
    public var defaultAccess: Access = .read
    /// The daemon's own user and root are always admin.
    public var ownerUID: UInt32 = getuid()

    public init() {}

    /// The role of a peer: the highest role any rule grants it, else the default.
    public func role(uid: UInt32, gid: UInt32, groups: [UInt32]) -> Access {
        if uid == 0 || uid == ownerUID { return .admin }
        var best: Access? = nil
        for (s, a) in rules {
            let hit: Bool
            switch s {
            case .uid(let u): hit = u == uid
            case .gid(let g): hit = g == gid || groups.contains(g)
            }
            if hit { best = max(best ?? a, a) }
        }
        return best ?? defaultAccess
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "access file line \(line): \(message)" }
    }

    /// Parses the access file: `user NAME ROLE`, `uid N ROLE`, `group NAME ROLE`, `gid N ROLE`, `default ROLE`;
    /// `#` starts a comment.
    public static func parse(_ text: String) throws -> AccessRules {
        var r = AccessRules()
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.isEmpty { continue }
            func role(_ s: String) throws -> Access {
                guard let a = Access(rawValue: s) else {
                    throw ParseError(line: i + 1, message: "unknown role \"\(s)\" (read, post or admin)")
                }
                return a
            }
            switch (words[0], words.count) {
            case ("default", 2): r.defaultAccess = try role(words[1])
            case ("uid", 3):
                guard let u = UInt32(words[1]) else { throw ParseError(line: i + 1, message: "bad uid \(words[1])") }
                r.rules.append((.uid(u), try role(words[2])))
            case ("gid", 3):
                guard let g = UInt32(words[1]) else { throw ParseError(line: i + 1, message: "bad gid \(words[1])") }
                r.rules.append((.gid(g), try role(words[2])))
            case ("user", 3):
                guard let pw = getpwnam(words[1]) else { throw ParseError(line: i + 1, message: "unknown user \(words[1])") }
                r.rules.append((.uid(pw.pointee.pw_uid), try role(words[2])))
            case ("group", 3):
                guard let gr = getgrnam(words[1]) else { throw ParseError(line: i + 1, message: "unknown group \(words[1])") }
                r.rules.append((.gid(gr.pointee.gr_gid), try role(words[2])))
            default:
                throw ParseError(line: i + 1, message: "expected `user|uid|group|gid NAME ROLE` or `default ROLE`")
            }
        }
        return r
    }
}

/// Log lines: to the journal with fields under systemd, to stderr otherwise.
public enum Log {
    nonisolated(unsafe) public static var toJournal = false

    public static func info(_ message: String, _ fields: [String: String] = [:]) { emit(6, "info", message, fields) }
    public static func warning(_ message: String, _ fields: [String: String] = [:]) { emit(4, "warning", message, fields) }
    public static func error(_ message: String, _ fields: [String: String] = [:]) { emit(3, "error", message, fields) }

    static func emit(_ priority: Int, _ level: String, _ message: String, _ fields: [String: String]) {
        if toJournal {
            Systemd.journal(priority: priority, message: message, fields: fields)
            return
        }
        var line = "whsed: \(level): \(message)"
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(v)" }
        line += "\n"
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
