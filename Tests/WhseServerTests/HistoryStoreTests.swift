import Foundation
import Testing

@testable import Warehouse
@testable import WhseServer

#if canImport(Glibc)
    import Glibc
#endif

/// The history files (docs/on-disk-format.md 11), on real files in a temporary folder: appended in steps, reopened
/// from their manifest, read at random and through a ledger whose chunks left memory; a torn tail past the recorded
/// end is cut, a file the manifest does not know is removed, and a damaged block or a file shorter than recorded is
/// refused with a message that names the file.
@Suite struct HistoryStoreTests {
    typealias Rng = EntryIndexTests.Rng

    static func folder() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whsed-history-\(UUID())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `n` entries written to history files in `dir`: the state, the manifest, and the warehouse ledger's file.
    static func written(_ n: Int, in dir: String) throws -> (LedgerState, [UInt8], String) {
        let s = state(n)
        let store = try HistoryStore(stateDirectory: dir, manifest: [])
        _ = try store.append(s)
        return (s, store.manifest, dir + "/history/warehouse-000000000001.ent")
    }

    static func state(_ n: Int, seed: UInt64 = 7) -> LedgerState {
        var r = Rng(s: seed)
        var s = LedgerState()
        EntryIndexTests.addEntries(&s, n, &r)
        return s
    }

    @Test func appendReopenAndRandomAccess() throws {
        let dir = HistoryStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = HistoryStoreTests.state(3 * 4096 + 100)
        var part = full
        part.warehouseEntries.removeSubrange((2 * 4096 + 5)...)
        part.itemLedgerEntries.removeSubrange(min(part.itemLedgerEntries.count, 4096 + 1)...)
        let store = try HistoryStore(stateDirectory: dir, manifest: [])
        // Small files: the appends rotate.
        let rotate = HistoryStore.rotateBytes
        HistoryStore.rotateBytes = 100_000
        defer { HistoryStore.rotateBytes = rotate }
        #expect(try store.append(part) == HistoryCounts(warehouse: 8192, item: 4096, physInventory: 0))
        let counts = try store.append(full)
        #expect(counts.warehouse == 3 * 4096 && counts.item == full.itemLedgerEntries.count / 4096 * 4096)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/history").sorted()
        #expect(files.count > 3 && files.first == "item-000000000001.ent")

        let reopened = try HistoryStore(stateDirectory: dir, manifest: store.manifest)
        #expect(reopened.counts == counts && reopened.notes.isEmpty)
        var r = Rng(s: 11)
        for _ in 0..<300 {
            let a = r.int(0...counts.warehouse - 1)
            let b = min(counts.warehouse, a + r.int(1...300))
            #expect(try reopened.warehouseEntries(a..<b) == Array(full.warehouseEntries[a..<b]))
            let i = r.int(0...counts.item - 1)
            #expect(try reopened.itemLedgerEntries(i..<(i + 1)) == [full.itemLedgerEntries[i]])
        }
        #expect(throws: HistoryError.self) { try reopened.warehouseEntries(0..<(counts.warehouse + 1)) }

        // A ledger whose oldest chunks left memory reads them from the files: same pages, same verify.
        let machine = StateMachine()
        machine.ledger.restore(full)
        reopened.attach(to: machine.ledger)
        let before = try machine.ledger.warehouseEntries(EntryFilter(after: 10, limit: 1000))
        machine.ledger.dropEntries(below: counts)
        #expect(machine.ledger.state.warehouseEntries.firstInMemory == counts.warehouse)
        let after = try machine.ledger.warehouseEntries(EntryFilter(after: 10, limit: 1000))
        #expect(after.entries == before.entries && after.nextAfter == before.nextAfter && before.entries.count == 1000)
        var f = EntryFilter(after: 0, limit: 1000)
        f.item = "I3"
        #expect(
            try Ledger(state: machine.ledger.state).warehouseEntries(f).entries
                == full.warehouseEntries.filter { $0.item == "I3" }.prefix(1000).map { $0 })
        #expect(try machine.ledger.state.warehouseEntries.element(5) == full.warehouseEntries[5])
    }

    /// Entries read one at a time (a block decoded lazily, only the asked entry and its strings) equal the blocks
    /// decoded whole, for the three ledgers, whether the block was cached or read again after the cache dropped it.
    @Test func entryByEntryEqualsWholeBlocks() throws {
        let dir = HistoryStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = HistoryStoreTests.state(7 * 4096, seed: 21)
        let store = try HistoryStore(stateDirectory: dir, manifest: [])
        let counts = try store.append(s)
        #expect(counts.physInventory >= 4096 && counts.item >= 4096)
        let budget = HistoryStore.cacheBytes
        defer { HistoryStore.cacheBytes = budget }
        for cacheBytes in [32 << 20, 20_000] {
            HistoryStore.cacheBytes = cacheBytes
            let reopened = try HistoryStore(stateDirectory: dir, manifest: store.manifest)
            // Whole blocks first (a range read decodes each block's string table once), then each entry alone,
            // in an order that scatters them over the blocks, then pairs and short runs across a block's end.
            #expect(
                try reopened.warehouseEntries(0..<counts.warehouse) == Array(s.warehouseEntries[0..<counts.warehouse]))
            // 977 is prime and no factor of the count (7 * 4,096): every entry once, one block after another.
            for i in (0..<counts.warehouse).map({ $0 * 977 % counts.warehouse }) {
                #expect(try reopened.warehouseEntries(i..<(i + 1)) == [s.warehouseEntries[i]])
            }
            for i in stride(from: 0, to: counts.item, by: 7) {
                #expect(try reopened.itemLedgerEntries(i..<(i + 1)) == [s.itemLedgerEntries[i]])
            }
            for i in stride(from: 3, to: counts.physInventory, by: 5) {
                #expect(try reopened.physInventoryEntries(i..<(i + 1)) == [s.physInventoryEntries[i]])
            }
            for start in stride(from: 60, to: counts.warehouse - 9, by: 64) {
                for n in [2, 5, 8, 9] {
                    #expect(
                        try reopened.warehouseEntries(start..<(start + n))
                            == Array(s.warehouseEntries[start..<(start + n)]))
                }
            }
        }
    }

    /// A block whose checksum fails is refused entry by entry as well, every time (it is never cached), while the
    /// entries of the blocks around it still read.
    @Test func damagedBlockIsRefusedEntryByEntry() throws {
        let dir = HistoryStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s, manifest, path) = try HistoryStoreTests.written(4096 + 10, in: dir)
        // Block 10's payload: its offset from the manifest's block lengths (header 32 bytes, block header 12).
        let lengths = try HistoryStore.parse(manifest)[0][0].1
        let offset = HistoryStore.headerBytes + lengths[0..<10].reduce(0, +) + HistoryStore.blockHeaderBytes + 5
        let fd = open(path, O_RDWR)
        var b: UInt8 = 0
        _ = pread(fd, &b, 1, off_t(offset))
        b ^= 0x01
        _ = pwrite(fd, &b, 1, off_t(offset))
        close(fd)
        let damaged = try HistoryStore(stateDirectory: dir, manifest: manifest)
        for round in 0..<2 {
            for i in [639, 640 + round, 703, 704] {
                let inDamaged = i >= 640 && i < 704
                do {
                    let e = try damaged.warehouseEntries(i..<(i + 1))
                    #expect(!inDamaged && e == [s.warehouseEntries[i]])
                } catch {
                    #expect(inDamaged && "\(error)".contains(path) && "\(error)".contains("fails its checksum"))
                }
            }
        }
    }

    @Test func tornTailIsCutAndUnknownFilesRemoved() throws {
        let dir = HistoryStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s, manifest, path) = try HistoryStoreTests.written(4096 + 10, in: dir)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        // A checkpoint cut short: bytes past the recorded end, and a file of its own no snapshot lists.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile()
        h.write(Data(repeating: 0xAB, count: 777))
        h.closeFile()
        FileManager.default.createFile(atPath: dir + "/history/warehouse-000000004097.ent", contents: Data([1, 2, 3]))
        let reopened = try HistoryStore(stateDirectory: dir, manifest: manifest)
        #expect(reopened.notes.count == 2)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int == size)
        #expect(!FileManager.default.fileExists(atPath: dir + "/history/warehouse-000000004097.ent"))
        #expect(try reopened.warehouseEntries(0..<4096) == Array(s.warehouseEntries[0..<4096]))
        // Read-only (whsed --verify) leaves the bytes where they are.
        let h2 = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h2.seekToEndOfFile()
        h2.write(Data(repeating: 0xAB, count: 5))
        h2.closeFile()
        _ = try HistoryStore(stateDirectory: dir, manifest: manifest, readOnly: true)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int == size + 5)
    }

    @Test func damageIsRefusedWithTheFileNamed() throws {
        let dir = HistoryStoreTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s, manifest, path) = try HistoryStoreTests.written(4096 + 10, in: dir)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        // One byte flipped in the middle of the file: that block fails its checksum, the others still read.
        let fd = open(path, O_RDWR)
        var b: UInt8 = 0
        _ = pread(fd, &b, 1, off_t(size / 2))
        b ^= 0x40
        _ = pwrite(fd, &b, 1, off_t(size / 2))
        close(fd)
        let damaged = try HistoryStore(stateDirectory: dir, manifest: manifest)
        #expect(try damaged.warehouseEntries(0..<64) == Array(s.warehouseEntries[0..<64]))
        do {
            _ = try damaged.warehouseEntries(0..<4096)
            Issue.record("a damaged block was read")
        } catch {
            let text = "\(error)"
            #expect(text.contains(path) && text.contains("damaged") && text.contains("backup"))
        }
        // A file shorter than the snapshot records: refused at open.
        #expect(truncate(path, off_t(size - 100)) == 0)
        do {
            _ = try HistoryStore(stateDirectory: dir, manifest: manifest)
            Issue.record("a cut history file was opened")
        } catch {
            #expect("\(error)".contains("was cut or damaged") && "\(error)".contains(path))
        }
        // A missing file.
        unlink(path)
        #expect(throws: HistoryError.self) { try HistoryStore(stateDirectory: dir, manifest: manifest) }
    }
}
