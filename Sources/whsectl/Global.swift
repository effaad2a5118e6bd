import ArgumentParser
import Foundation
import Warehouse
import WhseClient
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Options every subcommand takes.
struct Global: ParsableArguments {
    @Option(name: .long, help: "whsed's socket (default: $WHSED_SOCKET, else ./whsed.sock).")
    var socket: String?

    @Flag(name: .long, help: "Print the result as one JSON document.")
    var json = false

    @Option(name: .long, help: "Output format: table, json, jsonl, csv.")
    var format: String?

    @Option(name: .long, help: "Seconds to wait for whsed's answer (0: forever).")
    var timeout: Double = 30

    @Option(name: .long, help: "Idempotency key for a posting: a retry with the same key never posts twice.")
    var idempotencyKey: String?

    @Option(
        name: .long,
        help: "Retries after a lost connection (same idempotency key each time, so never a double posting).")
    var retries: Int = 0

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["WHSED_SOCKET"] ?? "whsed.sock"
    }

    var outputFormat: OutputFormat {
        if json { return .json }
        if let f = format, let o = OutputFormat(rawValue: f) { return o }
        return .table
    }

    func validateFormat() throws {
        if let f = format, OutputFormat(rawValue: f) == nil {
            throw ValidationError("--format must be one of table, json, jsonl, csv")
        }
    }

    /// Calls one method with its typed params; postings carry an idempotency key (the given one, or a fresh one
    /// reused across retries).
    /// Calls one method; its answer is checked against the method's result type (`ResultCatalogue`) before it is
    /// printed, so an answer whsectl cannot read is an error rather than a silent gap.
    func call<P: RPCParams>(_ params: P) throws -> JSON {
        let json = try call(P.method, params.encoded().objectValue ?? [:], posting: P.posts)
        if let type = ResultCatalogue.byMethod[P.method] { _ = try decodeResult(json, as: type) }
        return json
    }

    /// Calls one method and decodes its answer into the method's result type.
    func call<P: RPCParams, R: RPCResult>(_ params: P, result _: R.Type) throws -> (result: R, json: JSON) {
        let json = try call(P.method, params.encoded().objectValue ?? [:], posting: P.posts)
        return (try decodeResult(json, as: R.self), json)
    }

    /// Calls one method with params as given (`whsectl call`). A posting sent without a key (`whsectl call`) is
    /// never retried once it may have reached whsed.
    func call(_ method: String, _ params: [String: JSON], posting: Bool = false) throws -> JSON {
        try validateFormat()
        var p = params
        if posting {
            p[Params.idempotencyKey] = .string(idempotencyKey ?? Global.freshKey())
        }
        let retries = self.retries
        // Only lost connections are retried, as --retries says; a refusal is whsed's answer and ends the call.
        let policy = RetryPolicy(maxRetries: retries, delaySeconds: 0.2, maxDelaySeconds: 5, retryRefusals: false)
        let client = WhseClient(
            configuration: .init(
                socketPath: socketPath, timeoutSeconds: timeout, retry: policy,
                onRetry: { attempt, error in
                    Output.stderr("whsectl: \(error.retryMessage); retrying (\(attempt)/\(retries))")
                }))
        do { return try client.call(method, params: p) } catch { throw error.forCLI }
    }

    static func freshKey() -> String { IdempotencyKey.random(prefix: "whsectl-") }
}

/// Runs a command body, turning failures into a message on stderr and the documented exit code.
func perform(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as WhseError {
        var line = "whsectl: \(e.message) [\(e.reason)]"
        if let stale = e["staleLines"] { line += " staleLines=\(stale.serializedString)" }
        Output.stderr(TerminalSafe.escape(line))
        throw ExitCode(e.exitCode)
    } catch let e as CLIError {
        Output.stderr(TerminalSafe.escape("whsectl: \(e.message)"))
        throw ExitCode(e.code)
    }
}

/// A result in its type; an answer that does not fit is whsed's protocol error.
func decodeResult<R: RPCResult>(_ json: JSON, as _: R.Type) throws -> R {
    do { return try R(result: json) } catch {
        throw CLIError(code: Exit.protocolError, message: "whsed's answer does not fit \(R.self): \(error.message)")
    }
}

/// Checks a quantity on the command line, so a typo never reaches the server.
func quantity(_ text: String, _ what: String) throws -> Quantity {
    do { return try Quantity(parsing: text) } catch {
        throw CLIError(code: Exit.usage, message: "\(what): \(error.description)")
    }
}

/// An optional quantity option.
func quantity(_ text: String?, _ what: String) throws -> Quantity? {
    try text.map { t throws in try quantity(t, what) }
}

/// Rows of a CSV (header row names the fields) or JSON Lines file; "-" is stdin. Every field must be in `allowed`;
/// errors name the file's line number. A CSV cell loses the `'` that whsectl's CSV output puts before a formula-like
/// value (`'=X` reads as `=X`), and an empty cell is left out; JSON Lines are taken as they are.
struct FileRows {
    var path: String
    /// Each row with its line number in the file.
    var rows: [(line: Int, fields: [String: JSON])]
    /// CSV: every value is text.
    var textCells: Bool

    init(_ path: String, allowed: Set<String>) throws {
        self.path = path
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: path) else {
                throw CLIError(code: Exit.usage, message: "cannot read \(path)")
            }
            data = d
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError(code: Exit.usage, message: "\(path) is not UTF-8 text")
        }
        let known = allowed.sorted().joined(separator: ", ")
        rows = []
        let trimmed = text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        if trimmed.hasPrefix("{") {
            textCells = false
            for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty { continue }
                let v: JSON
                do { v = try JSONParser.parse(String(line)) } catch {
                    throw CLIError(code: Exit.usage, message: "\(path) line \(i + 1): \(error)")
                }
                guard case .object(let o) = v else {
                    throw CLIError(code: Exit.usage, message: "\(path) line \(i + 1): expected an object")
                }
                for k in o.keys.sorted() where !allowed.contains(k) {
                    throw CLIError(
                        code: Exit.usage,
                        message: "\(path) line \(i + 1): unknown field \(k) (known: \(known))")
                }
                rows.append((i + 1, o))
            }
            return
        }
        textCells = true
        let records = try CSV.parse(text)
        guard let header = records.first else { return }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        for n in names where !allowed.contains(n) {
            throw CLIError(code: Exit.usage, message: "\(path) line 1: unknown column \(n) (known: \(known))")
        }
        for r in records.dropFirst() {
            guard r.fields.count == names.count else {
                let message = "\(path) line \(r.line): \(r.fields.count) fields, the header has \(names.count)"
                throw CLIError(code: Exit.usage, message: message)
            }
            var o: [String: JSON] = [:]
            for (n, v) in zip(names, r.fields) {
                // Undo the formula prefix whsectl's own CSV output adds (CSV.neutralize), so its sheets read back.
                let value = CSV.restore(v.trimmingCharacters(in: .whitespaces))
                if !value.isEmpty { o[n] = .string(value) }
            }
            rows.append((r.line, o))
        }
    }

    /// One row decoded as a wire object, checked as whsed would check it (quantities, required fields, types), so a
    /// mistake is reported with its line number before anything is sent.
    func decode<L: WireObject>(_ fields: [String: JSON], line: Int, as _: L.Type) throws -> L {
        do {
            // The admission rules (limits, characters in codes) are whsed's to apply, under its own settings.
            return try L(decoding: try Params(.object(fields), admission: false, textCells: textCells))
        } catch {
            throw CLIError(code: Exit.usage, message: "\(path) line \(line): \(error.message)")
        }
    }
}

/// Journal lines of one type from a file (see `FileRows`); the fields are the line type's members.
func readLines<L: WireObject>(_ path: String, as type: L.Type) throws -> [L] {
    let file = try FileRows(path, allowed: Set(L.Key.allCases.map(\.rawValue)))
    return try file.rows.map { row throws in try file.decode(row.fields, line: row.line, as: type) }
}

/// A progress line on stderr for long imports, only when stderr is a terminal.
func progress(_ message: String) {
    if isatty(2) != 0 { Output.stderr(message) }
}
