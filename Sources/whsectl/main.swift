import ArgumentParser
import Foundation
import Warehouse
import WhseProtocol
import WriteAheadLog

struct EntriesGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entries", abstract: "Ledger entries with filters and paging.",
        subcommands: [Warehouse.self, Item.self, Phys.self, Follow.self])

    struct Filters: ParsableArguments {
        @Option var location: String?
        @Option var bin: String?
        @Option var item: String?
        @Option(help: "positiveAdjmt, negativeAdjmt, purchase, sale, movement, transfer.") var entryType: EntryType?
        @Option var documentNo: String?
        @Option var lot: String?
        @Option var serial: String?
        @Option(help: "Posting (registering) date from, YYYY-MM-DD, included.") var fromDate: String?
        @Option(help: "Posting (registering) date to, YYYY-MM-DD, included.") var toDate: String?
        @Option(help: "Entry number from, included.") var fromEntry: Int?
        @Option(help: "Entry number to, included.") var toEntry: Int?
        @Option(help: "Start after this entry number (paging).") var after: Int?
        @Option(help: "Entries per page (1…1000).") var limit: Int?
        var query: EntryQuery {
            EntryQuery(
                location: location, bin: bin, item: item, entryType: entryType, documentNo: documentNo, lot: lot,
                serial: serial, fromDate: fromDate, toDate: toDate, fromEntryNo: fromEntry, toEntryNo: toEntry,
                after: after, limit: limit)
        }
    }

    /// Prints a page of entries with every member, as whsed sent them before lean objects (protocol.md 11).
    static func show<P: EntriesParams>(_ global: Global, _ params: P, _ columns: [Column]) throws {
        try perform {
            let r = P.entryMembers.restored(try global.call(params), in: EntriesPageResult.Key.entries.rawValue)
            let page = try decodeResult(r, as: EntriesPageResult.self)
            Output.rows(page.entries, columns, format: global.outputFormat, whole: r)
            if global.outputFormat == .table, let next = page.nextAfter {
                print("… more: --after \(next)")
            }
        }
    }

    struct Warehouse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Warehouse entries (entries.warehouse).",
            discussion: "Example: whsectl entries warehouse --location WH1 --bin A-01")
        @OptionGroup var global: Global
        @OptionGroup var filters: Filters
        func run() throws {
            try EntriesGroup.show(
                global, WarehouseEntriesParams(filter: filters.query),
                [
                    Column("NO", "entryNo"), Column("TYPE", "entryType"), Column("DATE", "registeringDate"),
                    Column("LOCATION", "location"),
                    Column("BIN", "bin"), Column("ITEM", "item"), Column("QUANTITY", "quantity"),
                    Column("UNIT", "unitOfMeasure"),
                    Column("BASE QTY", "quantityBase"), Column("LOT", "lot"), Column("SERIAL", "serial"),
                    Column("EXPIRES", "expirationDate"),
                    Column("SOURCE", "source"), Column("DOCUMENT", "documentNo"), Column("USER", "user")
                ])
        }
    }
    struct Item: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Item ledger entries (entries.item).",
            discussion: "Example: whsectl entries item --item ITEM1")
        @OptionGroup var global: Global
        @OptionGroup var filters: Filters
        func run() throws {
            try EntriesGroup.show(
                global, ItemEntriesParams(filter: filters.query),
                [
                    Column("NO", "entryNo"), Column("TYPE", "entryType"), Column("DATE", "postingDate"),
                    Column("LOCATION", "location"),
                    Column("ITEM", "item"), Column("QUANTITY", "quantity"), Column("LOT", "lot"),
                    Column("SERIAL", "serial"),
                    Column("WHSE ADJ", "warehouseAdjustment"), Column("SOURCE", "source"),
                    Column("DOCUMENT", "documentNo"),
                    Column("USER", "user")
                ])
        }
    }
    struct Phys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "phys", abstract: "Phys. inventory ledger entries (entries.physInventory).",
            discussion: "Example: whsectl entries phys --location WH1")
        @OptionGroup var global: Global
        @OptionGroup var filters: Filters
        func run() throws {
            try EntriesGroup.show(
                global, PhysInventoryEntriesParams(filter: filters.query),
                [
                    Column("NO", "entryNo"), Column("TYPE", "entryType"), Column("DATE", "postingDate"),
                    Column("LOCATION", "location"),
                    Column("BIN", "bin"), Column("ITEM", "item"), Column("QUANTITY", "quantity"),
                    Column("CALCULATED", "quantityCalculated"),
                    Column("COUNTED", "quantityPhysInventory"), Column("LOT", "lot"), Column("SERIAL", "serial"),
                    Column("PERIOD", "countingPeriod"), Column("USER", "user")
                ])
        }
    }
}

struct ServerGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "The daemon itself.",
        subcommands: [Status.self, Metrics.self, Verify.self, Checkpoint.self, Backup.self])
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent backup of the books into a new folder while whsed serves (server.backup).",
            discussion: """
                Example: whsectl server backup /srv/backup/whsed-$(date +%F)
                The folder is a complete state folder: restore by stopping whsed and starting it with --state-dir on
                (a copy of) that folder, or by putting its files in place of the old state folder's.
                """)
        @OptionGroup var global: Global
        @Argument(help: "A new or empty folder.") var destination: String
        func run() throws {
            try perform {
                let (backup, _) = try global.call(ServerBackupParams(), result: ServerBackupResult.self)
                let seq = backup.sequence
                guard let data = Data(base64Encoded: backup.snapshot) else {
                    throw CLIError(code: Exit.protocolError, message: "server.backup answered without a snapshot")
                }
                do {
                    try WriteAheadLog.createFromSnapshot(directory: destination, sequence: seq, payload: [UInt8](data))
                } catch {
                    throw CLIError(code: Exit.usage, message: "cannot write the backup into \(destination): \(error)")
                }
                if global.outputFormat == .table {
                    let shown = TerminalSafe.escape(destination)
                    print("backup of sequence \(seq) (\(data.count) bytes) written to \(shown)")
                } else {
                    Output.object(
                        .object([
                            "sequence": .string(String(seq)), "bytes": JSON(data.count),
                            "destination": .string(destination)
                        ]), format: global.outputFormat)
                }
            }
        }
    }
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counters, log and limits (server.status).",
            discussion: "Example: whsectl server status")
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let (status, r) = try global.call(ServerStatusParams(), result: ServerStatusResult.self)
                Output.object(r, format: global.outputFormat)
                // A cut torn tail is for an operator to look at: say so on stderr, where scripts reading stdout
                // are not disturbed.
                let files = status.log.cutFiles
                if !files.isEmpty {
                    Output.stderr(
                        "warning: bytes cut from a torn log tail are kept in \(files.joined(separator: ", ")); "
                            + "inspect them, then remove them (protocol.md 16.1)")
                }
            }
        }
    }
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the metrics as Prometheus text (server.metrics).",
            discussion: """
                The text is Prometheus' text exposition format 0.0.4, as node_exporter's textfile collector reads it \
                (see systemd/whsed-metrics.service). --json prints the result object instead.

                Example: whsectl server metrics > /var/lib/prometheus/node-exporter/whsed.prom.tmp
                """)
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let (metrics, r) = try global.call(ServerMetricsParams(), result: ServerMetricsResult.self)
                if global.outputFormat == .table {
                    // Line by line, each made terminal-safe (whsed writes only printable ASCII there).
                    var out = ""
                    for line in metrics.text.split(separator: "\n") {
                        out += TerminalSafe.escape(String(line)) + "\n"
                    }
                    print(out, terminator: "")
                } else {
                    Output.object(r, format: global.outputFormat)
                }
            }
        }
    }
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the ledger invariants (server.verify); exit 1 on a violation.",
            discussion: """
                Needs the admin role: the check recomputes the whole books (seconds of CPU at millions of entries); \
                postings go on meanwhile. Other roles get permission denied (exit 77).

                Example: whsectl server verify
                """)
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let (verify, r) = try global.call(ServerVerifyParams(), result: ServerVerifyResult.self)
                if global.outputFormat == .table {
                    print(verify.violations.isEmpty ? "ok: all invariants hold" : "violations:")
                    for x in verify.violations { print("  \(Output.shown(.string(x)))") }
                } else {
                    Output.object(r, format: global.outputFormat)
                }
                if !verify.ok { throw ExitCode(1) }
            }
        }
    }
    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a snapshot now (server.checkpoint).",
            discussion: "Example: whsectl server checkpoint")
        @OptionGroup var global: Global
        func run() throws {
            try perform { Output.object(try global.call(ServerCheckpointParams()), format: global.outputFormat) }
        }
    }
}

struct Call: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call any method with JSON params and print the raw result.",
        discussion: #"Example: whsectl call bin.contents '{"location":"WH1","bin":"A-01"}'"#)
    @OptionGroup var global: Global
    @Argument var method: String
    @Argument(help: "Params as a JSON object.") var params: String = "{}"
    func run() throws {
        try perform {
            guard case .object(let p) = try JSONParser.parse(params) else {
                throw CLIError(code: Exit.usage, message: "params must be a JSON object")
            }
            let mutates = MethodCatalogue.byName[method]?.mutates ?? false
            var q = p
            if mutates, q[Params.idempotencyKey] == nil, let k = global.idempotencyKey {
                q[Params.idempotencyKey] = .string(k)
            }
            print(try global.call(method, q).serializedString)
        }
    }
}

struct Whsectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whsectl",
        abstract: "Drive whsed, the warehouse-inventory ledger daemon.",
        discussion: """
            The socket is --socket, else $WHSED_SOCKET, else ./whsed.sock.
            The options below go before or after the subcommand (and its group):
              whsectl --socket /run/whsed/whsed.sock --json server status
            Table output shows control and bidi characters in text as escapes (\\n, \\x1b,
            \\u{202e}); --json is exact. CSV output puts ' before a cell starting with
            = + - @ tab, CR, LF or NUL (not before a plain number such as -3), and
            --file drops it again.
            Exit codes: 0 success; 1 whsed refused the request (reason on stderr);
            64 usage or input-file error; 69 whsed unreachable, connection lost or
            timed out; 76 protocol error; 77 permission denied.
            """,
        subcommands: [
            LocationGroup.self, ZoneGroup.self, BinGroup.self, ItemGroup.self, CountingPeriodGroup.self,
            WhseJournalGroup.self, ItemJournalGroup.self, ReservationGroup.self, CountGroup.self,
            PhysInventoryGroup.self,
            EntriesGroup.self, ServerGroup.self, Call.self
        ])

    /// Parsed here too so the common options may come before the subcommand (as with systemctl and kubectl).
    /// The argument parser hands this one decoded value to every subcommand's `@OptionGroup var global: Global`,
    /// wherever on the line the options stood.
    @OptionGroup var global: Global
}

Whsectl.main()
