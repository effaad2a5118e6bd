import Dispatch
import Foundation
import NIOConcurrencyHelpers
import Testing
import Warehouse
import WhseProtocol
import WriteAheadLog

@testable import WhseCore
@testable import WhseServer

/// The writer's progress as the watchdog sees it (Watchdog.swift, protocol.md 2.5): no stall while idle, however long;
/// a commit held in fdatasync is a stall that grows from the moment the writer took it, even with nothing else
/// queued; it ends when the sync returns.
@Suite struct WriterProgress {
    static let ctx = PostingContext(user: "test", timestamp: "2026-01-01T00:00:00Z", today: "2026-01-01")

    /// Posts and waits for the reply.
    static func post(_ writer: Writer, _ method: String, _ params: String) throws -> Result<JSON, RPCError> {
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<JSON, RPCError>?>(nil)
        let json = try JSONParser.parse(params)
        let accepted = writer.submit(method: method, params: json, context: ctx) { r in
            outcome.withLockedValue { $0 = r.map(\.json) }
            done.signal()
        }
        #expect(accepted)
        done.wait()
        return outcome.withLockedValue { $0! }
    }

    @Test func aCommitHeldInFdatasyncIsAStallUntilTheSyncReturns() throws {
        let fs = SimulatedFileSystem(seed: 1)
        // The simulated file system calls `trace` inside every call: hold fdatasync there while `hold` is set.
        let hold = NIOLockedValueBox(false)
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        fs.trace = { line in
            guard line.contains(" fdatasync "), hold.withLockedValue({ $0 }) else { return }
            hold.withLockedValue { $0 = false }
            entered.signal()
            release.wait()
        }
        let machine = StateMachine()
        let (log, _) = try WriteAheadLog.open(
            directory: "/state", fileSystem: fs,
            onSnapshot: { _, p in try machine.restore(p) },
            onRecord: { _, b in try machine.replay(b) })
        let writer = Writer(machine: machine, log: log) { message in fatalError(message) }
        writer.autoCheckpointRecords = 0
        writer.start()
        defer { writer.drainAndStop() }
        for (method, params) in CrashRecovery.setup { _ = try WriterProgress.post(writer, method, params) }

        // Idle: no stall, whenever it is asked. A reply is handed out just before the writer leaves its batch, so
        // wait (bounded) until it has.
        for _ in 0..<1000 where writer.stalledNanoseconds(now: DispatchTime.now().uptimeNanoseconds + 1) != 0 {
            usleep(1000)
        }
        let now = DispatchTime.now().uptimeNanoseconds
        #expect(writer.stalledNanoseconds(now: now) == 0)
        #expect(writer.stalledNanoseconds(now: now + 3_600_000_000_000) == 0)

        // One posting, its commit held in fdatasync: the queue is empty, yet the writer is stalled.
        hold.withLockedValue { $0 = true }
        let taken = DispatchTime.now().uptimeNanoseconds
        let replied = DispatchSemaphore(value: 0)
        let params = try JSONParser.parse(
            #"{"location":"WH1","documentNo":"D1","lines":[{"item":"ITEM1","bin":"A-01","quantity":3}]}"#)
        let accepted = writer.submit(
            method: "whseItemJournal.register", params: params,
            context: WriterProgress.ctx
        ) { _ in replied.signal() }
        #expect(accepted)
        entered.wait()
        #expect(writer.statistics.queued == 0)
        usleep(200_000)
        let held = writer.stalledNanoseconds()
        #expect(held >= 200_000_000, "a commit held 0.2 s in fdatasync must count as a stall: \(held) ns")
        #expect(held <= DispatchTime.now().uptimeNanoseconds - taken)
        #expect(
            writer.stalledNanoseconds(now: DispatchTime.now().uptimeNanoseconds + 10_000_000_000)
                >= 10_000_000_000)

        // The sync returns: the reply goes out and the writer, idle again, is not stalled.
        release.signal()
        replied.wait()
        var after = writer.stalledNanoseconds()
        for _ in 0..<100 where after != 0 {
            usleep(10_000)
            after = writer.stalledNanoseconds()
        }
        #expect(after == 0)
    }
}
