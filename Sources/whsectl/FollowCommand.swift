import ArgumentParser
import Foundation
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

extension EntriesGroup {
    /// `whsectl entries follow`: the change feed (entries.follow, protocol.md 13.9) as JSON lines for pipelines.
    struct Follow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow the committed records (entries.follow), one JSON line per notification.",
            discussion: """
                Prints each notification line as whsed sends it: entries.committed (a record's entries), \
                entries.availability and, with --heartbeats, entries.heartbeat. Without --once it runs until \
                interrupted; a closed pipe (e.g. | head -1) ends it with status 0. No line (not even a heartbeat) \
                within --timeout seconds is a lost connection (status 69). When whsed drops the stream \
                (entries.followEnded) that line is printed too and whsectl exits with status 69, naming the --after \
                to resume from.
                Example: whsectl entries follow --after 0 --once | jq -c '.params.seq'
                """)
        @OptionGroup var global: Global
        @Option(help: "Start after this sequence number (the last one already processed).") var after: Int = 0
        @Option(help: "The log epoch --after belongs to; another epoch is refused (log_epoch_changed).")
        var epoch: Int?
        @Flag(help: "Print what is committed when the stream starts, then exit.") var once = false
        @Flag(help: "Print the heartbeats too.") var heartbeats = false
        @Option(help: "Milliseconds between heartbeats (100-60000).") var heartbeatMillis: Int?

        func validate() throws {
            if let f = global.format, f != "jsonl" {
                throw ValidationError("entries follow prints JSON lines only: --format jsonl")
            }
            if global.json { throw ValidationError("entries follow prints JSON lines: use --format jsonl") }
            guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
        }

        func run() throws {
            // A reader that goes away (| head -1) ends the stream quietly: EPIPE is checked at each write.
            signal(SIGPIPE, SIG_IGN)
            try perform {
                let client = try FollowClient(path: global.socketPath, timeoutSeconds: global.timeout)
                let beat = heartbeatMillis ?? (once ? 100 : 1000)
                let params = EntriesFollowParams(afterSeq: after, logEpoch: epoch, heartbeatMillis: beat)
                let result = try client.call(EntriesFollowParams.method, params.encoded().objectValue ?? [:])
                let durable = Int(clamping: try decodeResult(result, as: EntriesFollowResult.self).durableSeq)
                if once && durable <= after { return }
                var last = after
                while true {
                    let line: [UInt8]
                    do {
                        line = try client.readLine()
                    } catch let e as CLIError {
                        throw CLIError(
                            code: e.code,
                            message: "the stream ended after sequence \(last) (\(e.message)); "
                                + "resume with --after \(last)")
                    }
                    let v = try? JSONParser.parse(line, maxDepth: 512)
                    let method = v?["method"]?.stringValue
                    let p = v?["params"]
                    switch method {
                    case "entries.committed":
                        if let seq = p?["seq"]?.intValue { last = seq }
                    case "entries.heartbeat":
                        if once, let sent = p?["sentSeq"]?.intValue, sent >= durable { return }
                        // A reader that went away while nothing was printed (| head -1 on a quiet site).
                        if stdoutClosed() { return }
                        if !heartbeats { continue }
                    case "entries.followEnded":
                        emit(line)
                        let why = p?["message"]?.stringValue ?? "the stream was ended"
                        throw CLIError(
                            code: Exit.unavailable,
                            message: "whsed ended the stream: \(why); "
                                + "resume with --after \(last)")
                    default:
                        break
                    }
                    emit(line)
                }
            }
        }

        /// Whether stdout is a pipe whose reader has gone.
        private func stdoutClosed() -> Bool {
            var p = pollfd(fd: 1, events: 0, revents: 0)
            return poll(&p, 1, 0) == 1 && (p.revents & Int16(POLLERR | POLLHUP)) != 0
        }

        /// Writes one line to stdout; a closed pipe ends whsectl with status 0.
        private func emit(_ line: [UInt8]) {
            var bytes = line
            bytes.append(10)
            var off = 0
            while off < bytes.count {
                let n = bytes[off...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { Glibc.exit(0) }
                    Output.stderr("whsectl: writing to stdout failed: \(String(cString: strerror(errno)))")
                    Glibc.exit(Exit.unavailable)
                }
                off += n
            }
        }
    }
}

/// A blocking JSON-RPC client over a Unix stream socket for `entries follow`: one request line out, then the
/// stream's lines one by one (WhseClient's connection reads one answer per request).
final class FollowClient {
    let fd: Int32
    var buffer: [UInt8] = []
    var nextId = 1

    init(path: String, timeoutSeconds: Double) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            throw CLIError(
                code: Exit.unavailable,
                message: "cannot create a socket: \(String(cString: strerror(errno)))")
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw CLIError(code: Exit.usage, message: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        if timeoutSeconds > 0 {
            let micros = Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1_000_000)
            var tv = timeval(tv_sec: Int(timeoutSeconds), tv_usec: micros)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if r != 0 {
            let e = String(cString: strerror(errno))
            close(fd)
            throw CLIError(
                code: Exit.unavailable,
                message: "cannot connect to whsed at \(path): \(e) "
                    + "(is whsed running? set --socket or WHSED_SOCKET)")
        }
    }

    deinit { close(fd) }

    /// Sends one request and returns its result, or throws the server's error.
    func call(_ method: String, _ params: [String: JSON]) throws -> JSON {
        let id = nextId
        nextId += 1
        let request = RPCRequest(id: JSON(id), method: method, params: .object(params))
        var line = request.json.serialized()
        line.append(10)
        try writeAll(line)
        let response = try readLine()
        let v: JSON
        do { v = try JSONParser.parse(response, maxDepth: 512) } catch {
            throw CLIError(code: Exit.protocolError, message: "whsed sent an answer that is not JSON: \(error)")
        }
        if let e = v["error"] {
            let reason = e["data"]?["reason"]?.stringValue ?? "error"
            let message = e["message"]?.stringValue ?? "error"
            throw CLIError(
                code: reason == "permission_denied" ? Exit.permission : Exit.refused,
                message: "\(message) [\(reason)]")
        }
        guard let result = v["result"] else {
            throw CLIError(code: Exit.protocolError, message: "whsed's answer has neither result nor error")
        }
        return result
    }

    func writeAll(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError(
                    code: Exit.unavailable,
                    message: "sending to whsed failed: \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }

    func readLine() throws -> [UInt8] {
        while true {
            if let i = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<i])
                buffer.removeSubrange(...i)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
                throw CLIError(
                    code: Exit.unavailable,
                    message: timedOut
                        ? "no line from whsed within the timeout (not even a heartbeat)"
                        : "reading from whsed failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                throw CLIError(code: Exit.unavailable, message: "whsed closed the connection")
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}
