import Foundation
import Testing
import Warehouse
import WhseClient
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// The WhseClient library against a real whsed: typed results and errors, idempotency keys, retries across a
/// SIGKILL and restart, async calls.
@Suite(.serialized) struct WhseClientLibrary {
    /// A whsed with a directed location WH1, zone PICK, bin A-01 and item ITEM1, set up through the library.
    static func daemon(_ tmp: TempDir, env: [String: String] = [:]) throws -> (Daemon, WhseClient) {
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start(env: env)
        let c = WhseClient(socketPath: d.socket, timeoutSeconds: 20)
        _ = try c.call(LocationCreateParams(code: "WH1", kind: .directed))
        _ = try c.call(ZoneCreateParams(location: "WH1", code: "PICK", binType: "PICK"))
        _ = try c.call(BinCreateParams(location: "WH1", code: "A-01", zone: "PICK"))
        _ = try c.call(ItemCreateParams(no: "ITEM1", description: "Widget"))
        return (d, c)
    }

    static func receipt(_ quantity: Int, bin: String = "A-01") -> WhseItemJournalRegisterParams {
        WhseItemJournalRegisterParams(
            location: "WH1", documentNo: "R-\(quantity)",
            lines: [WhseItemJournalLine(item: "ITEM1", bin: bin, quantity: Quantity(quantity))])
    }

    /// What bin A-01 holds of ITEM1, as the quantity's literal ("0" when empty).
    static func held(_ c: WhseClient) throws -> String {
        let rows = try c.call(BinContentsParams(location: "WH1", bin: "A-01"))["rows"]?.arrayValue ?? []
        return rows.first?["quantity"]?.numberLiteral ?? "0"
    }

    /// A whsed (set up as `daemon`) whose fsync and fdatasync wait while the file `flag` exists, through the
    /// holdsync LD_PRELOAD shim of Tests/python; it creates `waiting` when a sync waits. Nil without a C compiler.
    static func heldDaemon(_ tmp: TempDir) throws -> (Daemon, WhseClient, flag: String, waiting: String)? {
        guard let gcc = tool("gcc") ?? tool("cc") else {
            print("skipped: no C compiler to build the holdsync shim")
            return nil
        }
        let shim = tmp.path + "/holdsync.so"
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/holdsync.c").path
        let built = try run(gcc, ["-shared", "-fPIC", "-O2", "-o", shim, source, "-ldl"])
        try #require(built.status == 0, "building holdsync.so: \(built.stderr)")
        let flag = tmp.path + "/hold"
        let waiting = tmp.path + "/waiting"
        let (d, c) = try daemon(tmp, env: ["LD_PRELOAD": shim, "HOLDSYNC_FLAG": flag, "HOLDSYNC_WAITING": waiting])
        return (d, c, flag, waiting)
    }

    /// Waits until whsed holds a sync.
    static func awaitHeldSync(_ waiting: String) throws {
        var waited = 0
        while !FileManager.default.fileExists(atPath: waiting) {
            try #require(waited < 2_000, "the posting's sync never began")
            usleep(10_000)
            waited += 1
        }
    }

    @Test func typedResultsAndTypedErrors() throws {
        let tmp = TempDir()
        let (d, c) = try WhseClientLibrary.daemon(tmp)
        defer { withExtendedLifetime(d) {} }
        let posted = try c.call(WhseClientLibrary.receipt(5), as: PostingResult.self)
        #expect(posted.registerNo == 1 && posted.lines == 1 && !posted.replayed)
        #expect(posted.warehouseEntries != nil)

        // A ledger refusal: the code, the reason and the facts in data.
        do {
            _ = try c.call(WhseClientLibrary.receipt(-500), as: PostingResult.self)
            Issue.record("taking 500 of 5 was accepted")
        } catch .server(let e) {
            #expect(e.code == 1003 && e.reason == "insufficient_quantity")
            #expect(e["bin"] == .string("A-01") && e["available"] == .number("5") && e["requested"] == .number("500"))
            #expect(!e.message.isEmpty)
        } catch { Issue.record("expected whsed's refusal, got \(error)") }

        // A read's refusal, and a protocol fault through the raw call.
        #expect(throws: WhseClientError.self) { _ = try c.call(BinContentsParams(location: "WH1", bin: "NOPE")) }
        do {
            _ = try c.call(BinContentsParams(location: "WH1", bin: "NOPE"))
        } catch {
            #expect(error.code == 1001 && error.reason == "not_found")
        }
        do {
            _ = try c.call("bin.teleport", params: ["bin": "A-01"])
            Issue.record("an unknown method was answered")
        } catch .server(let e) {
            #expect(e.code == -32601 && e.reason == "method_not_found" && e["method"] == .string("bin.teleport"))
        } catch { Issue.record("expected method_not_found, got \(error)") }

        // The connection still serves after refusals; the refused postings changed nothing.
        #expect(try WhseClientLibrary.held(c) == "5")

        // No daemon: a connection error that says nothing was sent, after the configured retries.
        let retried = Counter()
        let nowhere = WhseClient(
            configuration: .init(
                socketPath: tmp.path + "/nothing.sock", timeoutSeconds: 2,
                retry: RetryPolicy(maxRetries: 2, delaySeconds: 0.01), onRetry: { _, _ in retried.add() }))
        do {
            _ = try nowhere.call(ServerStatusParams())
            Issue.record("a call without a daemon succeeded")
        } catch .connection(let e) {
            #expect(e.kind == .cannotConnect && !e.requestSent && e.message.contains("nothing.sock"))
        } catch { Issue.record("expected a connection error, got \(error)") }
        #expect(retried.value == 2)
    }

    @Test func oneKeyPostsOnceAndAnotherPostingUnderItConflicts() throws {
        let tmp = TempDir()
        let (d, c) = try WhseClientLibrary.daemon(tmp)
        defer { withExtendedLifetime(d) {} }
        let key = IdempotencyKey.random(prefix: "test-")
        #expect(key.hasPrefix("test-") && key.utf8.count == 37 && key != IdempotencyKey.random(prefix: "test-"))
        let first = try c.call(WhseClientLibrary.receipt(3), as: PostingResult.self, idempotencyKey: key)
        let again = try c.call(WhseClientLibrary.receipt(3), as: PostingResult.self, idempotencyKey: key)
        #expect(!first.replayed && again.replayed)
        #expect(again.registerNo == first.registerNo && again.warehouseEntries == first.warehouseEntries)
        #expect(try WhseClientLibrary.held(c) == "3")
        do {
            _ = try c.call(WhseClientLibrary.receipt(4), idempotencyKey: key)
            Issue.record("other params under a used key were posted")
        } catch .server(let e) {
            #expect(e.code == 2002 && e.reason == "idempotency_conflict" && e["idempotencyKey"] == .string(key))
        } catch { Issue.record("expected idempotency_conflict, got \(error)") }
        // Without a key, every call of a posting is a new posting.
        _ = try c.call(WhseClientLibrary.receipt(3))
        _ = try c.call(WhseClientLibrary.receipt(3))
        #expect(try WhseClientLibrary.held(c) == "9")
    }

    /// The daemon is SIGKILLed while the client holds its connection, and comes back later: the posting sent again
    /// under its key is retried until whsed answers, and the answer is the original result, replayed.
    @Test func retryAcrossSIGKILLAndRestartReturnsTheOriginalResult() throws {
        let tmp = TempDir()
        let (d, c) = try WhseClientLibrary.daemon(tmp)
        let key = "delivery-4711"
        let original = try c.call(WhseClientLibrary.receipt(5), as: PostingResult.self, idempotencyKey: key)
        d.kill()
        let retried = Counter()
        let patient = WhseClient(
            configuration: .init(
                socketPath: d.socket, timeoutSeconds: 20,
                retry: RetryPolicy(
                    maxRetries: 100, delaySeconds: 0.05,
                    maxDelaySeconds: 0.2),
                onRetry: { _, error in
                    if case .connection = error { retried.add() }
                }))
        // Restart whsed from another thread once the client has begun retrying.
        let restarted = Latch()
        let daemon = Unchecked(d)
        let thread = Thread {
            while retried.value < 2 { usleep(10_000) }
            do { try daemon.value.start() } catch { Issue.record("whsed did not restart: \(error)") }
            restarted.open()
        }
        thread.start()
        let answer = try patient.call(WhseClientLibrary.receipt(5), as: PostingResult.self, idempotencyKey: key)
        restarted.wait()
        #expect(retried.value >= 2)
        #expect(answer.replayed)
        #expect(answer.registerNo == original.registerNo && answer.warehouseEntries == original.warehouseEntries)
        // The old client's connection died with the daemon; it opens a new one by itself.
        #expect(try WhseClientLibrary.held(c) == "5")
    }

    /// Answers lost in flight: whsed has written a posting but is SIGKILLed before its sync returns (an LD_PRELOAD
    /// shim holds fdatasync), with more postings queued behind it. Async calls from more clients than the machine has
    /// cores wait meanwhile without holding the cooperative pool, retry under their keys after the restart, and each
    /// posting is in the books once: the one whsed recovered from its log comes back replayed.
    @Test func asyncPostingsWhoseAnswersAreLostArePostedOnce() async throws {
        let tmp = TempDir()
        guard let (d, c, flag, waiting) = try WhseClientLibrary.heldDaemon(tmp) else { return }

        try #require(FileManager.default.createFile(atPath: flag, contents: nil))
        let lost = Counter()
        let count = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
        let postings = (1...count).map { quantity in
            let poster = WhseClient(
                configuration: .init(
                    socketPath: d.socket, timeoutSeconds: 20,
                    retry: RetryPolicy(maxRetries: 200, delaySeconds: 0.05, maxDelaySeconds: 0.2),
                    onRetry: { _, error in
                        if case .connection(let e) = error, e.kind == .connectionLost, e.requestSent { lost.add() }
                    }))
            let key = IdempotencyKey.random(prefix: "async-")
            return Task {
                try await poster.call(WhseClientLibrary.receipt(quantity), as: PostingResult.self, idempotencyKey: key)
            }
        }
        try WhseClientLibrary.awaitHeldSync(waiting)
        try await Task.sleep(nanoseconds: 200_000_000)
        // Every posting waits for its answer, yet tasks still run and reads are answered (off the committed view).
        #expect(await Task.detached { "free" }.value == "free")
        #expect(try await c.call(ServerStatusParams())["log"] != nil)

        d.kill()
        try FileManager.default.removeItem(atPath: flag)
        try d.start()
        var replayed = 0
        for (i, posting) in postings.enumerated() {
            let answer = try await posting.value
            #expect(answer.lines == 1, "posting \(i + 1): \(answer)")
            if answer.replayed { replayed += 1 }
        }
        #expect(lost.value >= 1, "no call saw its connection lost after sending")
        #expect(replayed >= 1, "the posting whose sync was held should be recovered and replayed")
        for quantity in 1...count {
            let page = try await c.call(WarehouseEntriesParams(filter: EntryQuery(documentNo: "R-\(quantity)")))
            let entries = page["entries"]?.arrayValue ?? []
            #expect(entries.count == 2, "R-\(quantity): one posting, a bin and an adjustment entry")
        }
        #expect(try WhseClientLibrary.held(c) == String(count * (count + 1) / 2))
    }

    /// A posting sent without an idempotency key whose answer is lost (held fdatasync, SIGKILL, restart) is not sent
    /// again: the error says the request left, and the books hold the posting once (whsed recovered it).
    @Test func postingWithoutAKeyIsNotResentAfterItsAnswerIsLost() throws {
        let tmp = TempDir()
        guard let (d, c, flag, waiting) = try WhseClientLibrary.heldDaemon(tmp) else { return }
        try #require(FileManager.default.createFile(atPath: flag, contents: nil))
        let retried = Counter()
        let poster = WhseClient(
            configuration: .init(
                socketPath: d.socket, timeoutSeconds: 20, retry: RetryPolicy(maxRetries: 200, delaySeconds: 0.05),
                onRetry: { _, _ in retried.add() }))
        let params = WhseClientLibrary.receipt(8).encoded().objectValue ?? [:]
        let outcome = Unchecked(OutcomeBox())
        let thread = Thread {
            do {
                _ = try poster.call(WhseItemJournalRegisterParams.method, params: params)
            } catch let e as WhseClientError { outcome.value.set(e) } catch {}
            outcome.value.done.open()
        }
        thread.start()
        try WhseClientLibrary.awaitHeldSync(waiting)
        d.kill()
        try FileManager.default.removeItem(atPath: flag)
        try d.start()
        outcome.value.done.wait()
        guard case .connection(let e)? = outcome.value.error else {
            Issue.record("expected a lost connection, got \(String(describing: outcome.value.error))")
            return
        }
        #expect(e.kind == .connectionLost && e.requestSent)
        #expect(retried.value == 0)
        #expect(try WhseClientLibrary.held(c) == "8")
    }

    /// The Swift example of README.md (blocking calls), against a real whsed; what it prints.
    static func readmeExample(socket: String) throws -> [String] {
        var printed: [String] = []
        let whse = WhseClient(socketPath: socket)
        let receipt = WhseItemJournalRegisterParams(
            location: "WH1", documentNo: "RCPT-4711",
            lines: [WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: try Quantity(parsing: "2.5"))])
        let key = IdempotencyKey.random(prefix: "rcpt-")
        for _ in 0..<2 {
            do {
                let posted = try whse.call(receipt, as: PostingResult.self, idempotencyKey: key)
                printed.append("register \(posted.registerNo) \(posted.replayed ? "(posted before)" : "")")
            } catch .server(let e) {
                printed.append("\(e.code) \(e.reason) \(e.data)")
            } catch .connection(let e) {
                printed.append(e.message)
            }
        }
        return printed
    }

    /// README.md's examples: blocking calls, then async ones.
    @Test func readmeExample() async throws {
        let tmp = TempDir()
        let (d, _) = try WhseClientLibrary.daemon(tmp)
        #expect(try WhseClientLibrary.readmeExample(socket: d.socket) == ["register 1 ", "register 1 (posted before)"])
        let whse = WhseClient(socketPath: d.socket)
        let status = try await whse.call(ServerStatusParams())
        #expect(status["log"] != nil)
        let taken = WhseItemJournalRegisterParams(
            location: "WH1", lines: [WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(-9))])
        do {
            _ = try await whse.call(taken, as: PostingResult.self)
            Issue.record("taking 9 of 2.5 was accepted")
        } catch .server(let e) {
            #expect(e.reason == "insufficient_quantity" && e["available"] == .number("2.5"))
        } catch { Issue.record("expected whsed's refusal, got \(error)") }
    }
}

/// A counter shared with the client's retry callback.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// A one-shot signal between two threads.
final class Latch: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false
    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }
    func wait() {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
    }
}

/// What a call on another thread threw.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: WhseClientError?
    let done = Latch()
    func set(_ e: WhseClientError) { lock.withLock { stored = e } }
    var error: WhseClientError? { lock.withLock { stored } }
}

/// Hands a value that is not Sendable to another thread that the test alone coordinates.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
