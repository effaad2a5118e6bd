import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A whsed the bench starts itself: `whsed --socket S --state-dir D`, output appended to a log file.
final class Daemon {
    let binary: String
    let stateDir: String
    let socketPath: String
    let logPath: String
    let extraArgs: [String]
    private(set) var pid: pid_t = 0
    private(set) var running = false

    init(binary: String, stateDir: String, socketPath: String, logPath: String, extraArgs: [String]) {
        self.binary = binary
        self.stateDir = stateDir
        self.socketPath = socketPath
        self.logPath = logPath
        self.extraArgs = extraArgs
    }

    var commandLine: String {
        ([binary, "--socket", socketPath, "--state-dir", stateDir] + extraArgs).joined(separator: " ")
    }

    /// posix_spawn; returns the monotonic time just before the exec.
    @discardableResult
    func spawn() throws -> UInt64 {
        guard access(binary, X_OK) == 0 else { throw BenchError("\(binary) is not executable") }
        let args = [binary, "--socket", socketPath, "--state-dir", stateDir] + extraArgs
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var child: pid_t = 0
        let started = nowNs()
        let rc = posix_spawn(&child, binary, &actions, nil, argv, environ)
        if rc != 0 { throw BenchError("posix_spawn \(binary): \(errnoText(rc))") }
        pid = child
        running = true
        return started
    }

    /// Polls (every 1 ms) until the socket answers server.status; returns the reply and the time it arrived.
    func waitReady(timeout: Double) throws -> (status: [String: Any], at: UInt64) {
        let deadline = nowNs() + UInt64(timeout * 1e9)
        while true {
            var st: Int32 = 0
            if waitpid(pid, &st, WNOHANG) == pid {
                running = false
                throw BenchError("whsed exited during start-up (wait status \(st)); log \(logPath):\n\(logTail())")
            }
            let fd = connectUnix(socketPath)
            if fd >= 0 {
                let c = Conn(fd: fd)
                if let status = try? c.callJSON(method: "server.status", params: "{}"),
                    let result = status["result"] as? [String: Any]
                {
                    return (result, nowNs())
                }
            }
            if nowNs() > deadline { throw BenchError("whsed did not answer on \(socketPath) within \(timeout) s") }
            usleep(1000)
        }
    }

    /// Sends a signal and waits for the process to end; returns its wait status.
    @discardableResult
    func stop(signal sig: Int32, timeout: Double = 60) -> Int32 {
        guard running else { return 0 }
        kill(pid, sig)
        let deadline = nowNs() + UInt64(timeout * 1e9)
        var st: Int32 = 0
        while waitpid(pid, &st, WNOHANG) != pid {
            if nowNs() > deadline {
                say("whsed-bench: whsed (pid \(pid)) did not stop within \(timeout) s; sending SIGKILL")
                kill(pid, SIGKILL)
                _ = waitpid(pid, &st, 0)
                break
            }
            usleep(2000)
        }
        running = false
        return st
    }

    func logTail() -> String {
        guard let text = readWholeFile(logPath) else { return "(no log)" }
        return text.split(separator: "\n").suffix(10).joined(separator: "\n")
    }
}
