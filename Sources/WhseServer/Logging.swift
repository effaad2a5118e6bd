import CSystemd
import Dispatch
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// The kind of a log line, as a stable 128-bit journal MESSAGE_ID (32 lowercase hex digits), so that operators can
/// select lines with `journalctl MESSAGE_ID=…` whatever their wording (protocol.md 19.2).
public struct LogMessageID: Sendable, Hashable, CustomStringConvertible {
    public let hex: String
    public init(_ hex: String) { self.hex = hex }
    public var description: String { hex }

    /// whsed serves: "serving on PATH" or "serving on the socket passed by systemd".
    public static let started = LogMessageID("33613edc074545b1aa248b1395da2065")
    /// whsed stopped cleanly ("stopped").
    public static let stopped = LogMessageID("630492581bc841d0b9789af2eba707ff")
    /// A write or sync of the log or a snapshot failed: whsed exits with status 74 without replying.
    public static let fatalStorageError = LogMessageID("4f63ad43f63d47ee9c30dd8706733f77")
    /// A snapshot was written (a checkpoint), or could not be written at shutdown.
    public static let checkpoint = LogMessageID("dff57b1de9264c0f83f44c53e1afd5e2")
    /// The access file was refused at start: whsed exits with status 78.
    public static let accessFileRefused = LogMessageID("ae2da5499dc140de8fdf5732afcb95dd")
    /// A warning caused by a client's request (`permission denied`), rate-limited.
    public static let clientWarning = LogMessageID("0d86cf141c8848008b398640376fa3fd")
    /// Start-up cut a torn tail from the log.
    public static let tornTailCut = LogMessageID("19ad876301e143ea86e1ac6603dfdfce")
    /// The watchdog saw the writer or an event loop stall, or recover.
    public static let watchdogStall = LogMessageID("707532d3098e4684848d62fa9dbdcf02")
    /// A posting was synced (debug level: only with `whsed --log-level debug`).
    public static let posted = LogMessageID("4cfc2d0f8ebd46afa05fc0463419a86a")
}

/// whsed's log lines, through swift-log: to the journal with structured fields under systemd (`JournalLogHandler`),
/// one readable line on stderr otherwise (`StderrLogHandler`). `bootstrap` picks the handler; before it (and in the
/// tests) lines go to stderr.
public enum Log {
    /// The metadata key of a line's MESSAGE_ID.
    public static let messageIDKey = "MESSAGE_ID"

    /// Most warnings of one kind a client can cause per second (`permission denied`): a client looping on a refused
    /// method would otherwise keep an event loop busy writing log lines. The lines left out are counted, and the
    /// next line written says how many.
    public static let maxClientWarningsPerSecond = 10
    private static let clientWarnings = NIOLockedValueBox((second: UInt64(0), written: 0, suppressed: 0))

    /// Set once, by `bootstrap`, before any other thread logs.
    nonisolated(unsafe) private static var logger = Logger(label: "whsed", factory: { StderrLogHandler(label: $0) })
    /// Whether lines go to the journal (set by `bootstrap`).
    nonisolated(unsafe) public private(set) static var toJournal = false

    /// Chooses where lines go: the journal when `journal` is true, stderr otherwise. Call once, first thing in main.
    public static func bootstrap(journal: Bool, level: Logger.Level = .info) {
        toJournal = journal
        var l = Logger(label: "whsed", factory: { label in Log.makeHandler(label: label) })
        l.logLevel = level
        logger = l
    }

    /// Whether debug lines are written (`whsed --log-level debug`): callers check it before building a line that
    /// costs something.
    public static var debugEnabled: Bool { logger.logLevel <= .debug }

    /// A handler of the kind `bootstrap` chose, for `LoggingSystem.bootstrap` and other loggers of the process.
    public static func makeHandler(label: String) -> any LogHandler {
        toJournal ? JournalLogHandler(label: label) : StderrLogHandler(label: label)
    }

    /// A warning caused by a client's request, rate-limited (see `maxClientWarningsPerSecond`).
    public static func clientWarning(
        _ message: String, _ fields: [String: String] = [:],
        id: LogMessageID = .clientWarning,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        let second = DispatchTime.now().uptimeNanoseconds / 1_000_000_000
        let suppressed: Int? = clientWarnings.withLockedValue { s in
            if s.second != second {
                s.second = second
                s.written = 0
            }
            guard s.written < maxClientWarningsPerSecond else {
                s.suppressed += 1
                return nil
            }
            s.written += 1
            defer { s.suppressed = 0 }
            return s.suppressed
        }
        guard let suppressed else { return }
        var fields = fields
        if suppressed > 0 { fields["suppressed"] = String(suppressed) }
        emit(.warning, message, fields, id, file: file, function: function, line: line)
    }

    public static func debug(
        _ message: String, _ fields: [String: String] = [:], id: LogMessageID? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        emit(.debug, message, fields, id, file: file, function: function, line: line)
    }

    public static func info(
        _ message: String, _ fields: [String: String] = [:], id: LogMessageID? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        emit(.info, message, fields, id, file: file, function: function, line: line)
    }

    public static func warning(
        _ message: String, _ fields: [String: String] = [:], id: LogMessageID? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        emit(.warning, message, fields, id, file: file, function: function, line: line)
    }

    public static func error(
        _ message: String, _ fields: [String: String] = [:], id: LogMessageID? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        emit(.error, message, fields, id, file: file, function: function, line: line)
    }

    static func emit(
        _ level: Logger.Level, _ message: String, _ fields: [String: String], _ id: LogMessageID?,
        file: String, function: String, line: UInt
    ) {
        var metadata: Logger.Metadata = [:]
        for (k, v) in fields { metadata[k] = .string(v) }
        if let id { metadata[messageIDKey] = .string(id.hex) }
        logger.log(level: level, "\(message)", metadata: metadata, file: file, function: function, line: line)
    }
}

/// One line per message on stderr: `whsed: LEVEL: MESSAGE k=v …`, the fields sorted by name (the MESSAGE_ID is
/// left out: it is for the journal). Written with one write(2), so lines of several threads never interleave.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "whsed: \(event.level.rawValue): \(event.message)"
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) where k != Log.messageIDKey { line += " \(k)=\(v)" }
        line += "\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { b in
            var off = 0
            while off < b.count {
                let n = write(2, b.baseAddress! + off, b.count - off)
                if n > 0 { off += n } else if n < 0 && errno == EINTR { continue } else { break }
            }
        }
    }
}

/// One journal record per message, sent with sd_journal_sendv: MESSAGE, PRIORITY (syslog: 2 critical … 7 debug),
/// SYSLOG_IDENTIFIER=whsed, MESSAGE_ID when the line has one, CODE_FILE, CODE_LINE and CODE_FUNC, and each metadata
/// field under its journal name: camelCase becomes upper snake case (`registerNo` → `REGISTER_NO`).
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The syslog priority of a level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// A journal field name for a metadata key: letters, digits and underscores, upper case, not starting with an
    /// underscore or a digit (those are the journal's own, or invalid); camelCase words are split by underscores.
    public static func fieldName(_ key: String) -> String {
        var out = ""
        var previousLower = false
        for ch in key.unicodeScalars {
            if ch.properties.isUppercase && previousLower { out += "_" }
            previousLower = ch.properties.isLowercase || ("0"..."9").contains(ch)
            if ("a"..."z").contains(ch) || ("A"..."Z").contains(ch) || ("0"..."9").contains(ch) {
                out += String(ch).uppercased()
            } else {
                out += "_"
            }
        }
        while out.hasPrefix("_") { out.removeFirst() }
        if out.isEmpty || out.first!.isNumber { out = "F_" + out }
        return out
    }

    public func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)", "PRIORITY=\(JournalLogHandler.priority(event.level))",
            "SYSLOG_IDENTIFIER=whsed", "CODE_FILE=\(event.file)", "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)"
        ]
        if label != "whsed" { fields.append("LOGGER=\(label)") }
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in all.sorted(by: { $0.key < $1.key }) {
            fields.append(k == Log.messageIDKey ? "MESSAGE_ID=\(v)" : "\(JournalLogHandler.fieldName(k))=\(v)")
        }
        JournalLogHandler.send(fields)
    }

    /// sd_journal_sendv of `FIELD=value` strings (values may hold newlines: sendv takes them as they are).
    static func send(_ fields: [String]) {
        var storage = [UInt8]()
        var ranges: [(Int, Int)] = []
        for f in fields {
            let start = storage.count
            storage.append(contentsOf: f.utf8)
            ranges.append((start, storage.count - start))
        }
        storage.withUnsafeMutableBytes { raw in
            var iovecs = ranges.map { iovec(iov_base: raw.baseAddress! + $0.0, iov_len: $0.1) }
            _ = iovecs.withUnsafeMutableBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
