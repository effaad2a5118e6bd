import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// One blocking Unix-stream connection speaking newline-delimited JSON-RPC, and a cheap reply checker.

/// Connects to a Unix socket; returns the fd or -1 (errno set).
func connectUnix(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    if fd < 0 { return -1 }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
        close(fd)
        errno = ENAMETOOLONG
        return -1
    }
    withUnsafeMutableBytes(of: &addr.sun_path) { p in
        for (i, b) in bytes.enumerated() { p[i] = b }
    }
    let r = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    if r != 0 {
        let e = errno
        close(fd)
        errno = e
        return -1
    }
    return fd
}

final class Conn {
    let fd: Int32
    private var buf: UnsafeMutablePointer<UInt8>
    private var cap = 1 << 16
    private var start = 0
    private var end = 0

    init(path: String) throws {
        let fd = connectUnix(path)
        if fd < 0 { throw BenchError("cannot connect to \(path): \(errnoText())") }
        self.fd = fd
        buf = .allocate(capacity: cap)
    }

    init(fd: Int32) {
        self.fd = fd
        buf = .allocate(capacity: cap)
    }

    deinit {
        close(fd)
        buf.deallocate()
    }

    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BenchError("write: \(errnoText())")
                }
                off += n
            }
        }
    }

    /// The next line without its newline; valid until the next call.
    func readLine() throws -> UnsafeBufferPointer<UInt8> {
        var scanned = start
        while true {
            if end > scanned, let nl = memchr(buf + scanned, 10, end - scanned) {
                let at = nl.assumingMemoryBound(to: UInt8.self) - buf
                let line = UnsafeBufferPointer(start: buf + start, count: at - start)
                start = at + 1
                if start == end {
                    start = 0
                    end = 0
                }  // next read starts at 0; the line stays valid until then
                return line
            }
            scanned = end
            if start > 0 && end == cap {
                memmove(buf, buf + start, end - start)
                end -= start
                scanned -= start
                start = 0
            }
            if end == cap {
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap * 2)
                bigger.update(from: buf, count: end)
                buf.deallocate()
                buf = bigger
                cap *= 2
            }
            let n = Glibc.read(fd, buf + end, cap - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw BenchError("read: \(errnoText())")
            }
            if n == 0 { throw BenchError("whsed closed the connection") }
            end += n
        }
    }

    func call(_ request: [UInt8]) throws -> UnsafeBufferPointer<UInt8> {
        try send(request)
        return try readLine()
    }

    /// A request built from parts, its reply decoded with Foundation (set-up and status; not the hot path).
    func callJSON(method: String, params: String, id: Int = 1) throws -> [String: Any] {
        let line = "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"\(method)\",\"params\":\(params)}\n"
        let reply = try call(Array(line.utf8))
        let data = Data(buffer: reply)
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BenchError("unparseable reply to \(method): \(String(decoding: reply, as: UTF8.self).prefix(300))")
        }
        return obj
    }
}

/// What the bench needs to know of a reply: an error object or a result, and the id.
struct ReplyCheck {
    var hasError = false
    var hasResult = false
    var id: Int? = nil
    var malformed = false
}

private let Q = UInt8(ascii: "\"")
private let BS = UInt8(ascii: "\\")

@inline(__always) private func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }

/// Skips a JSON string starting at p[i] == '"'; leaves i after the closing quote.
@inline(__always) private func skipString(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
    i += 1
    while i < p.count {
        let c = p[i]
        if c == BS {
            i += 2
            continue
        }
        i += 1
        if c == Q { return }
    }
}

/// Skips one JSON value of any kind.
private func skipValue(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
    guard i < p.count else { return }
    let c = p[i]
    if c == Q {
        skipString(p, &i)
        return
    }
    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
        var depth = 0
        while i < p.count {
            let d = p[i]
            if d == Q {
                skipString(p, &i)
                continue
            }
            if d == UInt8(ascii: "{") || d == UInt8(ascii: "[") {
                depth += 1
            } else if d == UInt8(ascii: "}") || d == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 {
                    i += 1
                    return
                }
            }
            i += 1
        }
        return
    }
    while i < p.count {
        let d = p[i]
        if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") || isSpace(d) { return }
        i += 1
    }
}

/// Scans the top level of a reply object: which of "error"/"result" it has, and its integer id.
func checkReply(_ p: UnsafeBufferPointer<UInt8>) -> ReplyCheck {
    var r = ReplyCheck()
    var i = 0
    let n = p.count
    while i < n && isSpace(p[i]) { i += 1 }
    guard i < n, p[i] == UInt8(ascii: "{") else {
        r.malformed = true
        return r
    }
    i += 1
    while true {
        while i < n && (isSpace(p[i]) || p[i] == UInt8(ascii: ",")) { i += 1 }
        guard i < n else {
            r.malformed = true
            return r
        }
        if p[i] == UInt8(ascii: "}") { break }
        guard p[i] == Q else {
            r.malformed = true
            return r
        }
        let keyStart = i + 1
        skipString(p, &i)
        let keyLen = i - 1 - keyStart
        while i < n && (isSpace(p[i]) || p[i] == UInt8(ascii: ":")) { i += 1 }
        var key: UInt8 = 0  // e=error r=result i=id
        if keyLen == 5 && p[keyStart] == UInt8(ascii: "e") && p[keyStart + 4] == UInt8(ascii: "r") {
            key = 101
        } else if keyLen == 6 && p[keyStart] == UInt8(ascii: "r") && p[keyStart + 5] == UInt8(ascii: "t") {
            key = 114
        } else if keyLen == 2 && p[keyStart] == UInt8(ascii: "i") && p[keyStart + 1] == UInt8(ascii: "d") {
            key = 105
        }
        switch key {
        case 101: r.hasError = true
        case 114: r.hasResult = true
        case 105:
            var v = 0
            var j = i
            var digits = 0
            while j < n, p[j] >= 48, p[j] <= 57 {
                v = v * 10 + Int(p[j] - 48)
                j += 1
                digits += 1
            }
            if digits > 0 { r.id = v }
        default: break
        }
        skipValue(p, &i)
    }
    if r.hasError == r.hasResult { r.malformed = true }
    return r
}

/// The `data.reason` of an error reply (a plain substring search; good enough for a report).
func errorReason(_ p: UnsafeBufferPointer<UInt8>) -> String {
    let needle = Array("\"reason\":\"".utf8)
    let n = p.count
    let m = needle.count
    var i = 0
    outer: while i + m <= n {
        for k in 0..<m where p[i + k] != needle[k] {
            i += 1
            continue outer
        }
        var j = i + m
        while j < n && p[j] != Q { j += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: p[(i + m)..<j]), as: UTF8.self)
    }
    return "unknown"
}

/// The `message` of an error reply, for the report's samples.
func errorMessage(_ p: UnsafeBufferPointer<UInt8>) -> String {
    let needle = Array("\"message\":\"".utf8)
    let n = p.count
    let m = needle.count
    var i = 0
    outer: while i + m <= n {
        for k in 0..<m where p[i + k] != needle[k] {
            i += 1
            continue outer
        }
        var j = i + m
        while j < n && p[j] != Q {
            if p[j] == BS { j += 1 }
            j += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: p[(i + m)..<min(j, n)]), as: UTF8.self)
    }
    return String(decoding: UnsafeBufferPointer(rebasing: p[0..<min(n, 200)]), as: UTF8.self)
}
