/// An open file of a `WALFileSystem`.
public typealias WALFileHandle = Int32

/// The small file-system surface the log uses, so tests can inject faults (`SimulatedFileSystem`).
///
/// Paths are absolute or relative strings as given to `WriteAheadLog.open`; the log joins names with "/".
/// Every failure is thrown as `WALError.io(operation:path:errno:)`; the log decides what an errno means
/// (ENOSPC on a write is survivable, anything on a sync is not).
public protocol WALFileSystem: AnyObject {
    /// mkdir; returns false when the directory already exists.
    func createDirectory(_ path: String) throws -> Bool
    /// Names (not paths) of the entries of a directory, without "." and "..".
    func listDirectory(_ path: String) throws -> [String]
    /// Current size of a file in bytes.
    func fileSize(_ path: String) throws -> Int
    /// The whole file.
    func readFile(_ path: String) throws -> [UInt8]
    /// Opens a file; `writable` opens it read-write, `create` creates it when missing, `truncate` empties it.
    func openFile(_ path: String, writable: Bool, create: Bool, truncate: Bool) throws -> WALFileHandle
    /// Closes a handle (releasing any lock taken through it). Never fails.
    func close(_ file: WALFileHandle)
    /// pwrite of all of `bytes` at `offset` (looping over short writes). On failure a prefix may have been written.
    func write(_ file: WALFileHandle, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws
    /// fsync (`metadata` true) or fdatasync.
    func sync(_ file: WALFileHandle, metadata: Bool) throws
    /// ftruncate.
    func truncate(_ file: WALFileHandle, to length: Int) throws
    /// posix_fallocate(0, length): reserve space; the file grows to at least `length` and reads as zeros there.
    func allocate(_ file: WALFileHandle, length: Int) throws
    /// fsync of a directory, which makes the creates, renames and removes of its entries durable.
    func syncDirectory(_ path: String) throws
    /// rename(2), replacing `to` atomically.
    func rename(_ from: String, to: String) throws
    /// unlink(2).
    func remove(_ path: String) throws
    /// flock(LOCK_EX or LOCK_SH | LOCK_NB); returns false when another open file description holds a conflicting lock.
    func lock(_ file: WALFileHandle, exclusive: Bool) throws -> Bool
}
