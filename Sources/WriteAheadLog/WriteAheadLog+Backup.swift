#if canImport(Glibc)
    import Glibc
#endif

extension WriteAheadLog {
    /// Makes `directory` (new or empty) a state folder holding just one snapshot: what a backup is. `open` on it
    /// loads the snapshot and starts a new segment after `sequence`. Written to a temp file, fsynced, renamed, and
    /// the directory fsynced, like every snapshot.
    public static func createFromSnapshot(
        directory: String, sequence: UInt64, payload: [UInt8],
        fileSystem fs: any WALFileSystem = PosixFileSystem()
    ) throws {
        precondition(!payload.isEmpty, "a snapshot has a payload")
        try createDirectoryDurably(directory, fileSystem: fs)
        let existing = try fs.listDirectory(directory).filter { !$0.hasPrefix(".") }
        guard existing.isEmpty else {
            throw WALError.io(
                operation: "backup into a non-empty folder (\(existing.prefix(3).joined(separator: ", ")))",
                path: directory, errno: EEXIST)
        }
        let name = WALFormat.snapshotName(sequence: sequence)
        let temporary = directory + "/" + name + ".tmp"
        let bytes = WALFormat.encodeSnapshot(sequence: sequence, payload: payload)
        let handle = try fs.openFile(temporary, writable: true, create: true, truncate: true)
        do {
            try bytes.withUnsafeBytes { try fs.write(handle, $0, at: 0) }
            try fs.sync(handle, metadata: true)
        } catch {
            fs.close(handle)
            throw error
        }
        fs.close(handle)
        try fs.rename(temporary, to: directory + "/" + name)
        try fs.syncDirectory(directory)
    }
}

extension WriteAheadLog {
    /// Creates `path` and any missing parents (mode 0750), fsyncing each new folder's parent so the new entry
    /// survives a power loss (ALICE rule 13). Does nothing for folders that exist.
    public static func createDirectoryDurably(_ path: String, fileSystem fs: any WALFileSystem = PosixFileSystem())
        throws
    {
        var missing: [String] = []
        var p = path
        while !p.isEmpty, p != "/", p != ".", (try? fs.listDirectory(p)) == nil {
            missing.append(p)
            p = parentDirectory(of: p)
        }
        for dir in missing.reversed() {
            if try fs.createDirectory(dir) {
                try fs.syncDirectory(parentDirectory(of: dir))
            }
        }
    }
}
