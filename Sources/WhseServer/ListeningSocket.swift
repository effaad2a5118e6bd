import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// The Unix socket whsed binds itself when systemd does not pass one (protocol.md 2.1).
///
/// The socket file is born with no more than its final mode, and whsed listens only once the file has exactly that
/// mode, so no peer can connect through a broader mode during start-up, whatever the umask. (Binding first and
/// chmodding after `listen` left a window in which any local user could connect and stay connected.) How:
/// - Linux creates the file of `bind(2)` with the mode of the socket's own inode less the umask, so the socket's
///   inode gets the final mode (`fchmod`) before `bind`: the file can only be narrower, never broader.
/// - After `bind` the file is checked (`lstat`): a socket, owned by us, no bit beyond the final mode; then `chmod`
///   gives it the bits the umask took away. Any surprise unlinks it and stops start-up (nothing listened yet).
/// - Only then `listen(2)`: until that call a `connect` is refused whatever the file's mode.
/// `umask` itself is not touched: it is per process and other threads already run.
enum ListeningSocket {
    /// Connections the kernel queues before whsed accepts them (the same as `Backlog=` in whsed.socket). Also set
    /// on a socket passed by systemd, after NIO has adopted it (NIO listens again with 128).
    static let backlog: Int32 = 512

    /// Binds `path` with file mode `mode` and listens; returns the listening descriptor (close-on-exec).
    /// A stale socket file at `path` (no process answers on it) is replaced; anything else there is refused.
    static func bind(path: String, mode: mode_t) throws -> Int32 {
        guard mode & ~0o777 == 0 else { throw failure("socket mode \(String(mode, radix: 8)) has bits beyond 0777") }
        var addr = try address(path)
        try refuseIfServed(&addr, path: path)
        try removeStale(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket(): \(errorText())") }
        var bound = false
        do {
            guard fchmod(fd, mode) == 0 else { throw failure("fchmod of the new socket: \(errorText())") }
            let r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard r == 0 else { throw failure("bind \(path): \(errorText())") }
            bound = true
            try settle(path, mode: mode)
            guard listen(fd, backlog) == 0 else { throw failure("listen on \(path): \(errorText())") }
            return fd
        } catch {
            if bound { unlink(path) }
            close(fd)
            throw error
        }
    }

    /// The bound file: a socket of ours with no bit beyond `mode`, then exactly `mode`.
    private static func settle(_ path: String, mode: mode_t) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            throw failure("the socket file \(path) vanished after bind: \(errorText())")
        }
        guard st.st_mode & S_IFMT == S_IFSOCK, st.st_uid == geteuid() else {
            throw failure("\(path) is not the socket whsed just bound")
        }
        let born = st.st_mode & 0o7777
        guard born & ~mode == 0 else {
            throw failure(
                "the socket file was created with mode \(String(born, radix: 8)), broader than "
                    + "\(String(mode, radix: 8)); refusing to listen on it")
        }
        if born != mode {
            guard chmod(path, mode) == 0 else { throw failure("chmod \(path): \(errorText())") }
        }
    }

    /// A `sockaddr_un` for `path`, which must fit in `sun_path` with its terminating zero.
    private static func address(_ path: String) throws -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, !bytes.contains(0), bytes.count < capacity else {
            throw failure("bad or too long socket path (at most \(capacity - 1) bytes): \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
        }
        return addr
    }

    /// A live socket at `path` means another whsed serves it: refuse rather than steal it.
    private static func refuseIfServed(_ addr: inout sockaddr_un, path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if r == 0 { throw failure("another process already serves \(path)") }
    }

    /// Unlinks a socket file nobody answers on; refuses to remove anything that is not a socket.
    private static func removeStale(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFSOCK else { throw failure("\(path) exists and is not a socket") }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw failure("cannot remove the stale socket \(path): \(errorText())")
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
    private static func failure(_ message: String) -> RPCError { .internalError(message) }
}
