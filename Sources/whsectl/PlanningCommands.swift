import ArgumentParser
import WhseProtocol

struct CountingPeriodGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counting-period", abstract: "Cycle counting: counting periods and the items due.",
        subcommands: [Create.self, List.self, Due.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a counting period (countingPeriod.create).",
            discussion: "Example: whsectl counting-period create MONTH --frequency 12 --description Monthly")
        @OptionGroup var global: Global
        @Argument var code: String
        @Option(help: "Counts per year, 1…365 (1, 2, 3, 4, 6, 12: month windows; 24: half months; else day windows).")
        var frequency: Int = 1
        @Option var description: String?
        func run() throws {
            try perform {
                let p = CountingPeriodCreateParams(
                    code: code, description: description,
                    countFrequencyPerYear: frequency)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List counting periods (countingPeriod.list).",
            discussion: "Example: whsectl counting-period list")
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let (list, r) = try global.call(CountingPeriodListParams(), result: CountingPeriodListResult.self)
                typealias K = CountingPeriodResult.Key
                Output.rows(
                    list.countingPeriods.map(\.wire),
                    [
                        Column("CODE", K.code), Column("PER YEAR", K.countFrequencyPerYear),
                        Column("DESCRIPTION", K.description)
                    ], format: global.outputFormat, whole: r)
            }
        }
    }

    struct Due: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Items due for counting on a date (countingPeriod.due); count them with --counting-period-due.",
            discussion: """
                Example: whsectl counting-period due --date 2026-03-20
                Then:    whsectl count calculate WH1 --journal CYCLE --registering-date 2026-03-20 --counting-period-due
                """)
        @OptionGroup var global: Global
        @Option(help: "YYYY-MM-DD (default: today).") var date: String?
        @Option var period: String?
        func run() throws {
            try perform {
                let p = CountingPeriodDueParams(date: date, countingPeriod: period)
                let (due, r) = try global.call(p, result: CountingPeriodDueResult.self)
                typealias K = ItemResult.Key
                Output.rows(
                    due.items.map(\.wire),
                    [
                        Column("ITEM", K.no), Column("PERIOD", K.countingPeriod),
                        Column("WINDOW START", K.nextCountingStart), Column("WINDOW END", K.nextCountingEnd),
                        Column("LAST COUNTED", K.lastCountingPeriodUpdate), Column("DESCRIPTION", K.description)
                    ],
                    format: global.outputFormat, whole: r)
            }
        }
    }
}

let reservationColumns = [
    Column("NO", "reservation"), Column("LOCATION", "location"), Column("ITEM", "item"), Column("LOT", "lot"),
    Column("SERIAL", "serial"), Column("BASE QTY", "quantityBase"), Column("SOURCE", "source"),
    Column("BY", "createdBy"), Column("CREATED", "createdAt")
]

struct ReservationGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reservation", abstract: "Reserve stock for a document; reserved stock must be available to pick.",
        subcommands: [Create.self, Cancel.self, List.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Reserve stock (reservation.create); refused when more than is available to pick would be reserved.",
            discussion: "Example: whsectl reservation create --location WH1 --item ITEM1 --quantity 5 --source SO-1001")
        @OptionGroup var global: Global
        @Option var location: String
        @Option var item: String
        @Option(parsing: .unconditional) var quantity: String
        @Option var unit: String?
        @Option var lot: String?
        @Option var serial: String?
        @Option(help: "The document the stock is reserved for.") var source: String?
        func run() throws {
            try perform {
                let p = ReservationCreateParams(
                    location: location, item: item, quantity: try quantity_(quantity),
                    unitOfMeasure: unit, lot: lot, serial: serial, source: source)
                let r = MemberDefaults.reservation.restored(try global.call(p))
                Output.rows([r], reservationColumns, format: global.outputFormat, whole: r)
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a reservation (reservation.cancel).",
            discussion: "Example: whsectl reservation cancel 1")
        @OptionGroup var global: Global
        @Argument var reservation: Int
        func run() throws {
            try perform {
                let p = ReservationCancelParams(reservation: reservation)
                let r = MemberDefaults.reservation.restored(try global.call(p))
                Output.rows([r], reservationColumns, format: global.outputFormat, whole: r)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open reservations (reservation.list).",
            discussion: "Example: whsectl reservation list --item ITEM1")
        @OptionGroup var global: Global
        @Option var location: String?
        @Option var item: String?
        func run() throws {
            try perform {
                let p = ReservationListParams(location: location, item: item)
                let key = ReservationListResult.Key.reservations.rawValue
                let r = MemberDefaults.reservation.restored(try global.call(p), in: key)
                let list = try decodeResult(r, as: ReservationListResult.self)
                // Printed with every member, the lean ones put back.
                let rows = list.reservations.map { MemberDefaults.reservation.restored($0.wire) }
                Output.rows(rows, reservationColumns, format: global.outputFormat, whole: r)
            }
        }
    }
}
