#if canImport(Glibc)
    import Glibc
#endif

/// `WALFileSystem` on the real file system through Glibc system calls.
public final class PosixFileSystem: WALFileSystem, Sendable {
    public init() {}

    private func failure(_ operation: String, _ path: String, _ code: Int32 = errno) -> WALError {
        .io(operation: operation, path: path, errno: code)
    }

    public func createDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o750) == 0 { return true }
        let code = errno
        var st = stat()
        if code == EEXIST, stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return false }
        throw failure("mkdir", path, code)
    }

    public func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw failure("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw failure("readdir", path) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    public func fileSize(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw failure("stat", path) }
        return Int(st.st_size)
    }

    public func readFile(_ path: String) throws -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure("fstat", path) }
        // The size is a hint only: read until EOF.
        var bytes = [UInt8](repeating: 0, count: max(Int(st.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.appendZeros(max(bytes.count, 4096)) }
            let n = bytes.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, raw.count - filled, off_t(filled))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    public func openFile(_ path: String, writable: Bool, create: Bool, truncate: Bool) throws -> WALFileHandle {
        var flags = O_CLOEXEC | (writable ? O_RDWR : O_RDONLY)
        if create { flags |= O_CREAT }
        if truncate { flags |= O_TRUNC }
        let fd = Glibc.open(path, flags, 0o640)
        guard fd >= 0 else { throw failure("open", path) }
        return fd
    }

    public func close(_ file: WALFileHandle) {
        _ = Glibc.close(file)
    }

    public func write(_ file: WALFileHandle, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(file, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write", "fd \(file)")
            }
            if n == 0 { throw failure("write", "fd \(file)", ENOSPC) }
            done += n
        }
    }

    public func sync(_ file: WALFileHandle, metadata: Bool) throws {
        // No retry on any error, EINTR included: after a failed sync the kernel may have dropped the pages.
        let rc = metadata ? fsync(file) : fdatasync(file)
        if rc != 0 { throw failure(metadata ? "fsync" : "fdatasync", "fd \(file)") }
    }

    public func truncate(_ file: WALFileHandle, to length: Int) throws {
        while ftruncate(file, off_t(length)) != 0 {
            if errno != EINTR { throw failure("ftruncate", "fd \(file)") }
        }
    }

    public func allocate(_ file: WALFileHandle, length: Int) throws {
        while true {
            let rc = posix_fallocate(file, 0, off_t(length))  // returns the error, does not set errno
            if rc == 0 { return }
            if rc != EINTR { throw failure("posix_fallocate", "fd \(file)", rc) }
        }
    }

    public func syncDirectory(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { Glibc.close(fd) }
        if fsync(fd) != 0 { throw failure("fsync", path) }
    }

    public func rename(_ from: String, to: String) throws {
        if Glibc.rename(from, to) != 0 { throw failure("rename", "\(from) -> \(to)") }
    }

    public func remove(_ path: String) throws {
        if unlink(path) != 0 { throw failure("unlink", path) }
    }

    public func lock(_ file: WALFileHandle, exclusive: Bool) throws -> Bool {
        // A held lock is retried for up to a second: a process that forks (posix_spawn) shares the lock's open file
        // description with its child until the child's exec closes it, and a restarting whsed may still be exiting.
        var attempts = 0
        while flock(file, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK:
                attempts += 1
                if attempts > 50 { return false }
                usleep(20_000)
            default: throw failure("flock", "fd \(file)")
            }
        }
        return true
    }
}
