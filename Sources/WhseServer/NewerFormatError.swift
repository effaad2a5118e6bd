import Warehouse
import WriteAheadLog

/// A file in the state folder was written in a format newer than this build reads: a segment or snapshot file
/// format (`WALError.unsupportedVersion`), or the state encoding inside a snapshot. Not damage: `--repair` does not
/// apply, and nothing is changed.
public struct NewerFormatError: Error, CustomStringConvertible, Sendable {
    /// The file, with its path.
    public var file: String
    /// "segment format", "snapshot format" or "snapshot state".
    public var what: String
    public var version: UInt64

    public var description: String {
        "\(file) has \(what) version \(version), newer than this build of whsed (\(ServerCore.version)) reads: "
            + "it reads \(NewerFormatError.readableVersions). The folder was probably written by a newer whsed: "
            + "start that version on it, or restore a backup made by this one. Nothing was changed"
    }

    /// Every on-disk version this build reads, as words.
    public static var readableVersions: String {
        "\(WALError.readableVersions), and snapshot state versions 1–\(LedgerState.snapshotVersion)"
    }

    /// The same error in these terms when it is an unsupported file format version; otherwise nil.
    public static func from(_ error: any Error) -> NewerFormatError? {
        guard case WALError.unsupportedVersion(let file, let version)? = error as? WALError else { return nil }
        return NewerFormatError(
            file: file, what: file.hasSuffix(".snap") ? "snapshot format" : "segment format",
            version: UInt64(version))
    }

    /// Throws when a snapshot payload carries a state version newer than `LedgerState.snapshotVersion`. Reads only
    /// the magic and the version varint that `SnapshotWriter.finish` puts first (docs/on-disk-format.md 4.3); any
    /// other problem is left to the decoder.
    static func checkStateVersion(of payload: [UInt8], file: String) throws {
        let magic = Array("WHSEDSTATE".utf8)
        guard payload.count > magic.count, payload.starts(with: magic) else { return }
        var version: UInt64 = 0
        var shift: UInt64 = 0
        for byte in payload[magic.count...] {
            guard shift < 64 else { return }
            version |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                if version > UInt64(LedgerState.snapshotVersion) {
                    throw NewerFormatError(file: file, what: "snapshot state", version: version)
                }
                return
            }
            shift += 7
        }
    }
}
