import Foundation
import Testing
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Where the built whsed and whsectl are: $WHSED_BIN_DIR, else next to the test bundle, else .build/debug.
let binDir: String = {
    if let d = ProcessInfo.processInfo.environment["WHSED_BIN_DIR"] { return d }
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
        Bundle.main.bundleURL.deletingLastPathComponent().path,
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug").path
    ]
    for c in candidates where FileManager.default.isExecutableFile(atPath: c + "/whsed") { return c }
    return candidates.last!
}()

func tool(_ name: String) -> String? {
    for dir in ["/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin"]
    where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
    }
    return nil
}

struct Ran {
    var status: Int32
    var stdout: String
    var stderr: String
    var json: JSON? { try? JSONParser.parse(stdout) }
}

/// Starts a program with posix_spawn: stdin/stdout/stderr from/to the given files. Returns the pid.
func spawn(
    _ path: String, _ args: [String], env: [String: String] = [:], stdin: String = "/dev/null",
    stdout: String, stderr: String, append: Bool = false
) throws -> pid_t {
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    e["SWIFT_BACKTRACE"] = "enable=no"
    e.removeValue(forKey: "LISTEN_FDS")
    e.removeValue(forKey: "LISTEN_PID")
    e.removeValue(forKey: "JOURNAL_STREAM")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, flags, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, flags | O_APPEND, 0o644)
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = e.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard rc == 0 else { throw DaemonError("posix_spawn \(path): \(String(cString: strerror(rc)))") }
    return pid
}

/// Waits for a child; returns its exit status (128+signal when killed).
@discardableResult
func reap(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    var r: pid_t
    repeat { r = waitpid(pid, &status, 0) } while r < 0 && errno == EINTR
    // Not reaped here (ECHILD): the status is unknown, never a success.
    if r < 0 { return 255 }
    if status & 0x7f == 0 { return (status >> 8) & 0xff }
    return 128 + (status & 0x7f)
}

/// Runs a program to completion.
@discardableResult
func run(_ path: String, _ args: [String], env: [String: String] = [:], stdin: String? = nil) throws -> Ran {
    let base = NSTemporaryDirectory() + "/whsed-run-\(UUID().uuidString)"
    defer { for x in [".out", ".err", ".in"] { try? FileManager.default.removeItem(atPath: base + x) } }
    var input = "/dev/null"
    if let s = stdin {
        input = base + ".in"
        FileManager.default.createFile(atPath: input, contents: s.data(using: .utf8))
    }
    let pid = try spawn(path, args, env: env, stdin: input, stdout: base + ".out", stderr: base + ".err")
    let status = reap(pid)
    // A file that cannot be read (too many open files, say) is an error, never an empty output.
    guard let outData = FileManager.default.contents(atPath: base + ".out"),
        let errData = FileManager.default.contents(atPath: base + ".err")
    else {
        throw DaemonError("cannot read the output of \(path) \(args) (errno \(errno)), exit status \(status)")
    }
    return Ran(
        status: status, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// A temporary folder removed at the end.
final class TempDir {
    let path: String
    init() {
        var template = Array("/tmp/whsed-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A real whsed process, started by hand (`--socket`) or through `systemd-socket-activate`.
final class Daemon {
    let dir: String
    let socket: String
    let state: String
    let activated: Bool
    var pid: pid_t?
    var extraArgs: [String]
    var logPath: String { dir + "/whsed.log" }

    init(dir: String, activated: Bool, extraArgs: [String] = []) {
        self.dir = dir
        self.socket = dir + "/whsed.sock"
        self.state = dir + "/state"
        self.activated = activated
        self.extraArgs = extraArgs
    }

    func start(env: [String: String] = [:]) throws {
        let pid: pid_t
        if activated {
            guard let sa = tool("systemd-socket-activate") else {
                throw Skip("systemd-socket-activate is not installed")
            }
            pid = try spawn(
                sa, ["-l", socket, binDir + "/whsed", "--state-dir", state] + extraArgs, env: env,
                stdout: logPath, stderr: logPath, append: true)
        } else {
            pid = try spawn(
                binDir + "/whsed", ["--socket", socket, "--state-dir", state] + extraArgs, env: env,
                stdout: logPath, stderr: logPath, append: true)
        }
        self.pid = pid
        // Wait for the socket to accept connections (the first one starts a socket-activated whsed).
        for _ in 0..<400 {
            if FileManager.default.fileExists(atPath: socket), let c = try? rawConnect(),
                c.call(#"{"jsonrpc":"2.0","id":0,"method":"server.status"}"#) != nil
            {
                return
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                self.pid = nil
                break
            }
            usleep(25_000)
        }
        throw DaemonError("whsed did not come up: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
    }

    /// SIGKILL: no chance to clean up.
    func kill() {
        guard let pid else { return }
        Glibc.kill(pid, SIGKILL)
        reap(pid)
        self.pid = nil
        try? FileManager.default.removeItem(atPath: socket)
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let pid else { return -1 }
        Glibc.kill(pid, SIGTERM)
        let s = reap(pid)
        self.pid = nil
        return s
    }

    /// Waits for the daemon to exit by itself; returns its status.
    func waitExit() -> Int32 {
        guard let pid else { return -1 }
        let s = reap(pid)
        self.pid = nil
        return s
    }

    deinit {
        if let pid {
            Glibc.kill(pid, SIGKILL)
            reap(pid)
        }
    }

    /// Runs whsectl against this daemon.
    @discardableResult
    func ctl(_ args: [String], stdin: String? = nil) throws -> Ran {
        try run(binDir + "/whsectl", args, env: ["WHSED_SOCKET": socket], stdin: stdin)
    }

    /// Runs whsectl and requires success.
    @discardableResult
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Ran {
        let r = try ctl(args)
        #expect(
            r.status == 0, "whsectl \(args.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        return r
    }

    func rawConnect() throws -> RawConnection { try RawConnection(path: socket) }
}

struct DaemonError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

struct Skip: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A plain socket connection speaking raw lines, for protocol-level tests.
final class RawConnection {
    let fd: Int32
    var buffer: [UInt8] = []

    init(path: String, timeoutSeconds: Int = 20) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if r != 0 {
            close(fd)
            throw DaemonError("connect: \(String(cString: strerror(errno)))")
        }
    }
    deinit { close(fd) }

    func send(_ s: String) { sendBytes(Array(s.utf8)) }
    func sendBytes(_ b: [UInt8]) {
        var off = 0
        while off < b.count {
            let n = b[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    /// The next response line, parsed; nil on EOF or timeout.
    func receive() -> JSON? {
        while true {
            if let i = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<i])
                buffer.removeSubrange(...i)
                return try? JSONParser.parse(line, maxDepth: 512)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Sends one line and waits for one response.
    func call(_ line: String) -> JSON? {
        send(line + "\n")
        return receive()
    }
}

extension JSON {
    var errorCode: Int? { self["error"]?["code"]?.intValue }
    var errorReason: String? { self["error"]?["data"]?["reason"]?.stringValue }
}
