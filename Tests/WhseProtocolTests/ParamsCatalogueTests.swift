import Testing
import Warehouse
import WhseProtocol

/// Every method of the catalogue has its params type, and every params type reads back what it writes.
@Suite struct ParamsCatalogueTests {
    static func q(_ text: String) -> Quantity { try! Quantity(parsing: text) }

    /// Samples of every method's params; together the samples of a method set each of its members.
    static let samples: [any RPCParams] = [
        LocationCreateParams(
            code: "WH1", name: "Main ✓", kind: .directed, adjustmentBin: "ADJ", adjustmentZone: "ADJUSTMENT",
            binCapacityPolicy: .prohibitMore, checkWarehouseClass: true, allowNegativeInventory: false),
        LocationCreateParams(code: "SHOP", kind: .plain),
        LocationUpdateParams(
            code: "WH1", name: "", binCapacityPolicy: .allowMore, checkWarehouseClass: false,
            allowNegativeInventory: true),
        LocationConvertToDirectedParams(
            code: "SHOP", adjustmentBin: "A", adjustmentZone: "Z", registeringDate: "2026-01-31"),
        LocationGetParams(code: "WH1"),
        LocationListParams(),
        ZoneCreateParams(
            location: "WH1", code: "PICK", description: "Picking", binType: "PICK", warehouseClass: "COLD"),
        ZoneListParams(location: "WH1"),
        BinCreateParams(
            location: "WH1", code: "A-01", description: "d", zone: "PICK", binType: "PICK", blockMovement: .inbound,
            maximumCubage: q("1.5"), maximumWeight: q("0"), warehouseClass: "COLD"),
        BinUpdateParams(
            location: "WH1", code: "A-01", description: "e", binType: "QC", blockMovement: BlockMovement.none,
            maximumCubage: q("2"), maximumWeight: q("3.25"), warehouseClass: .some(nil)),
        BinUpdateParams(location: "WH1", code: "A-01", warehouseClass: "DRY"),
        BinUpdateParams(location: "WH1", code: "A-01"),
        BinListParams(location: "WH1", zone: "PICK"),
        BinContentSetupParams(
            location: "WH1", bin: "A-01", item: "ITEM1", unitOfMeasure: "BOX", minQuantity: q("1"),
            maxQuantity: q("20"), fixed: true, isDefault: false),
        ItemCreateParams(
            no: "ITEM1", description: "Widget", baseUnitOfMeasure: "EA",
            unitsOfMeasure: [
                .init(code: "EA", roundingPrecision: q("1"), cubage: q("0.1")),
                .init(code: "BOX", quantityPerUnitOfMeasure: q("12"), weight: q("2.5"))
            ],
            tracking: ItemTracking(lot: true, serial: false, expirationRequired: true), warehouseClass: "COLD"),
        ItemCreateParams(no: "ITEM2"),
        ItemGetParams(no: "ITEM1"),
        ItemListParams(),
        ItemSetCountingPeriodParams(item: "ITEM1", countingPeriod: "MONTH", date: "2026-03-15"),
        ItemSetCountingPeriodParams(item: "ITEM1", countingPeriod: nil),
        ItemTrackingSetBlockedParams(item: "LOTITEM", lot: "L1", serial: "S1", blocked: true),
        CountingPeriodCreateParams(code: "MONTH", description: "Monthly", countFrequencyPerYear: 12),
        CountingPeriodListParams(),
        CountingPeriodDueParams(date: "2026-03-20", countingPeriod: "MONTH"),
        WhseItemJournalRegisterParams(
            location: "WH1", documentNo: "D1", registeringDate: "2026-01-02",
            lines: [
                WhseItemJournalLine(
                    item: "ITEM1", zone: "PICK", bin: "A-01", quantity: q("-5.5"), unitOfMeasure: "BOX", lot: "L1",
                    serial: "S1", expirationDate: "2027-01-31"),
                WhseItemJournalLine(item: "ITEM1", bin: "A-02", quantity: q("1"))
            ]),
        WhseReclassJournalRegisterParams(
            location: "WH1", documentNo: "D2", registeringDate: "2026-01-03",
            lines: [
                WhseReclassJournalLine(
                    item: "ITEM1", fromBin: "A-01", toBin: "A-02", quantity: q("3"), unitOfMeasure: "PCS",
                    lot: "L1", serial: "S1", newLot: "L2", newSerial: "S2", newExpirationDate: "2027-06-30")
            ]),
        ItemJournalCalculateWhseAdjustmentParams(
            batch: "B1", location: "WH1", item: "ITEM1", documentNo: "ADJ-1",
            postingDate: "2026-01-04"),
        ItemJournalGetParams(batch: "B1"),
        ItemJournalGetParams(),
        ItemJournalDeleteParams(batch: "B1"),
        ItemJournalPostParams(batch: "DEFAULT"),
        ItemJournalPostParams(
            lines: [
                ItemJournalPostLine(
                    entryType: .purchase, location: "BASIC", bin: "S-01", item: "ITEM1", quantity: q("10"),
                    unitOfMeasure: "PCS", documentNo: "P1", postingDate: "2026-01-05", lot: "L1", serial: "S1",
                    expirationDate: "2027-01-01"),
                ItemJournalPostLine(
                    entryType: .sale, location: "MAIN", item: "LOTITEM", quantity: q("5"),
                    tracking: [
                        TrackingLine(lot: "L1", serial: "S9", expirationDate: "2027-01-01", quantity: q("2")),
                        TrackingLine(lot: "L2", quantity: q("3"))
                    ])
            ], documentNo: "DOC", postingDate: "2026-01-06"),
        ItemReclassJournalPostParams(
            documentNo: "R1", postingDate: "2026-01-07",
            lines: [
                ItemReclassJournalLine(
                    item: "ITEM1", location: "BASIC", bin: "S-01", newLocation: "SHOP", newBin: "S-02",
                    quantity: q("0.25"), unitOfMeasure: "PCS", lot: "L1", serial: "S1", newLot: "L2",
                    newSerial: "S2", newExpirationDate: "2028-01-01")
            ]),
        ReservationCreateParams(
            location: "WH1", item: "ITEM1", quantity: q("5"), unitOfMeasure: "BOX", lot: "L1",
            serial: "S1", source: "SO-1001"),
        ReservationCancelParams(reservation: 7),
        ReservationListParams(location: "WH1", item: "ITEM1"),
        WhsePhysInventoryCalculateParams(
            location: "WH1", journal: "C1", documentNo: "CNT", registeringDate: "2026-01-08",
            zone: "PICK", bin: "A-01", item: "ITEM1", includeZero: true, blind: true,
            countingPeriodDue: false),
        WhsePhysInventoryGetParams(journal: "C1", blind: true, after: 10000, limit: 50),
        WhsePhysInventoryListParams(),
        WhsePhysInventoryRecordCountsParams(
            journal: "C1",
            counts: [
                CountInput(lineNo: 10000, quantity: q("62")),
                CountInput(
                    bin: "A-02", item: "LOTITEM", unitOfMeasure: "PCS", quantity: q("4"), lot: "L7", serial: "S7",
                    expirationDate: "2027-05-31")
            ]),
        WhsePhysInventoryRecalculateParams(journal: "C1", lines: [10000, 20000]),
        WhsePhysInventoryRecalculateParams(journal: "C1"),
        WhsePhysInventoryDeleteParams(journal: "C1"),
        WhsePhysInventoryRegisterParams(journal: "C1"),
        PhysInventoryCalculateParams(
            location: "BASIC", journal: "P1", documentNo: "PHYS", postingDate: "2026-01-09",
            item: "ITEM1", bin: "S-01", includeZero: false, countingPeriodDue: true),
        PhysInventoryGetParams(journal: "P1", after: 0, limit: 1),
        PhysInventoryListParams(),
        PhysInventoryRecordCountsParams(journal: "P1", counts: [CountInput(item: "ITEM1", quantity: q("7"))]),
        PhysInventoryRecalculateParams(journal: "P1", lines: []),
        PhysInventoryDeleteParams(journal: "P1"),
        PhysInventoryPostParams(journal: "P1"),
        BinContentsParams(location: "WH1", bin: "A-01", includeZero: true, fields: .only(["item", "quantity"])),
        BinContentsParams(location: "WH1", bin: "A-01"),
        ItemBinsParams(item: "ITEM1", location: "WH1", includeZero: false, fields: .only(["bin"])),
        ItemAvailabilityParams(item: "ITEM1", location: "WH1"),
        WarehouseEntriesParams(
            filter: EntryQuery(
                location: "WH1", bin: "A-01", item: "ITEM1", entryType: .movement,
                documentNo: "D1", lot: "L1", serial: "S1", fromDate: "2026-01-01", toDate: "2026-12-31",
                fromEntryNo: 3, toEntryNo: 900, after: 5, limit: 1000),
            fields: .only(["entryNo", "quantityBase"])),
        ItemEntriesParams(
            filter: EntryQuery(
                location: "WH1", item: "ITEM1", entryType: .positiveAdjmt, documentNo: "D1",
                lot: "L1", serial: "S1", fromDate: "2026-02-28", toDate: "2026-02-28", fromEntryNo: 1, toEntryNo: 1,
                after: 0, limit: 1),
            fields: .only(["warehouseAdjustment"])),
        PhysInventoryEntriesParams(
            filter: EntryQuery(
                location: "WH1", bin: "A-01", item: "ITEM1", entryType: .negativeAdjmt,
                documentNo: "D1", lot: "L1", serial: "S1", fromDate: "2024-02-29", toDate: "2027-01-01",
                fromEntryNo: 2, toEntryNo: 7, after: 1, limit: 2),
            fields: .only(["countingPeriod", "lastItemLedgerEntryNo"])),
        PhysInventoryEntriesParams(filter: EntryQuery()),
        EntriesFollowParams(afterSeq: 12, logEpoch: 77, heartbeatMillis: 250),
        EntriesFollowParams(afterSeq: 0),
        ServerStatusParams(),
        ServerMetricsParams(),
        ServerVerifyParams(),
        ServerCheckpointParams(),
        ServerBackupParams()
    ]

    @Test func everyMethodHasItsParamsType() {
        for m in MethodCatalogue.all {
            #expect(ParamsCatalogue.byMethod[m.name] != nil, "\(m.name) has no params type")
        }
        #expect(
            ParamsCatalogue.all.count == MethodCatalogue.all.count, "a params type names no method of the catalogue")
        for t in ParamsCatalogue.all {
            #expect(MethodCatalogue.byName[t.method] != nil, "\(t.method) is not in MethodCatalogue")
        }
    }

    @Test func everyMethodHasSamples() {
        let sampled = Set(Self.samples.map { type(of: $0).method })
        for m in MethodCatalogue.all { #expect(sampled.contains(m.name), "no sample of \(m.name)") }
    }

    static func roundTrip<P: RPCParams>(_ x: P) throws -> P {
        // Through the bytes of the wire, as whsectl sends them and as a log record would hold them.
        let bytes = x.encoded().serialized()
        return try P(decoding: try Params(try JSONParser.parse(bytes)))
    }

    @Test func decodingTheEncodingGivesTheSameValue() throws {
        for x in Self.samples {
            func check<P: RPCParams>(_ x: P) throws {
                #expect(try Self.roundTrip(x) == x, "\(P.method): \(x.encoded().serializedString)")
                // At replay, without the admission rules, too.
                let replayed = try P(decoding: try Params(x.encoded(), admission: false))
                #expect(replayed == x)
                // Through the catalogue, as whsed dispatches.
                let any = try ParamsCatalogue.decode(method: P.method, params: x.encoded())
                #expect(any as? P == x)
            }
            try check(x)
        }
    }

    /// The encoders write every member a type knows (a member read but never written would be lost on re-encoding).
    @Test func samplesSetEveryMember() {
        var written: [String: Set<String>] = [:]
        for x in Self.samples {
            written[type(of: x).method, default: []].formUnion(x.encoded().objectValue.map { Array($0.keys) } ?? [])
        }
        for x in Self.samples {
            func check<P: RPCParams>(_: P) {
                var known = Set(P.Key.allCases.map(\.rawValue))
                if P.self == ItemEntriesParams.self { known.remove("bin") }
                #expect(written[P.method] == known, "\(P.method) writes \(written[P.method] ?? []), knows \(known)")
            }
            check(x)
        }
    }

    @Test func idempotencyKeyIsCommonToPostings() throws {
        for x in Self.samples {
            func check<P: RPCParams>(_ x: P) throws {
                let withKey = x.encoded(idempotencyKey: "k-1")
                if P.posts {
                    #expect(try P(decoding: try Params(withKey)) == x)
                    #expect(withKey["idempotencyKey"] == .string("k-1"))
                } else {
                    #expect(throws: RPCError.self) { try P(decoding: try Params(withKey)) }
                }
            }
            try check(x)
        }
    }

    /// An unknown member is refused with the message of protocol.md 5.1, listing the members the method knows.
    @Test func unknownMembersAreRefusedWithTheKnownOnes() throws {
        for t in ParamsCatalogue.all {
            func check<P: RPCParams>(_: P.Type) {
                do {
                    _ = try P(decoding: try Params(.object(["zzz": .bool(true)])))
                    Issue.record("\(P.method) took an unknown member")
                } catch {
                    #expect(error.reason == "invalid_params")
                    if P.self is any WriterTaskParams.Type {
                        #expect(error.message == "invalid params: \(P.method) takes no params")
                        return
                    }
                    var known = P.Key.allCases.map(\.rawValue)
                    if P.self == ItemEntriesParams.self { known.removeAll { $0 == "bin" } }
                    if P.posts { known.append("idempotencyKey") }
                    let list = known.sorted().joined(separator: ", ")
                    #expect(error.message == "invalid params: unknown parameter zzz (known: \(list))")
                    #expect(error.data["param"] == .string("zzz"))
                }
            }
            check(t)
        }
    }

    @Test func lineMembersAreNamedWithTheirPath() throws {
        let p = JSON.object([
            "location": "WH1",
            "lines": .array([
                .object(["item": "I", "bin": "A", "quantity": 1]),
                .object(["item": "I", "bin": "A", "qty": 1])
            ])
        ])
        #expect(
            throws: RPCError.invalidParams(
                "unknown parameter lines[1].qty (known: bin, expirationDate, item, lot, quantity, serial, "
                    + "unitOfMeasure, zone)",
                param: "lines[1].qty")
        ) {
            try WhseItemJournalRegisterParams(decoding: try Params(p))
        }
        let missing = JSON.object(["lines": .array([.object(["location": "L", "item": "I", "quantity": 1])])])
        #expect(throws: RPCError.invalidParams("lines[0].entryType is required", param: "lines[0].entryType")) {
            try ItemJournalPostParams(decoding: try Params(missing))
        }
    }

    @Test func rulesBetweenMembers() throws {
        #expect(
            throws: RPCError.invalidParams("adjustmentBin applies only to directed locations", param: "adjustmentBin")
        ) {
            try LocationCreateParams(
                decoding: try Params(.object(["code": "S", "kind": "plain", "adjustmentBin": .null])))
        }
        #expect(
            throws: RPCError.invalidParams(
                "documentNo does not go with batch: a batch's lines carry their own",
                param: "documentNo")
        ) {
            try ItemJournalPostParams(decoding: try Params(.object(["batch": "B", "documentNo": "D"])))
        }
        #expect(
            throws: RPCError.invalidParams(
                "unitsOfMeasure[0].quantityPerUnitOfMeasure is required",
                param: "unitsOfMeasure[0].quantityPerUnitOfMeasure")
        ) {
            try ItemCreateParams(decoding: try Params(.object(["no": "I", "unitsOfMeasure": [["code": "BOX"]]])))
        }
        // null clears the class of a bin; absent keeps it.
        let cleared = try BinUpdateParams(
            decoding: try Params(.object(["location": "L", "code": "B", "warehouseClass": .null])))
        #expect(cleared.warehouseClass == .some(nil))
        #expect(
            try BinUpdateParams(decoding: try Params(.object(["location": "L", "code": "B"]))).warehouseClass == nil)
    }

    /// Admission limits hold for a request, not for a logged record.
    @Test func journalLineLimitIsAnAdmissionRule() throws {
        let lines = JSON.array(
            (0...AdmissionLimits.maxJournalLines).map { _ in .object(["item": "I", "bin": "A", "quantity": 1]) })
        let p = JSON.object(["location": "WH1", "lines": lines])
        #expect(throws: RPCError.self) { try WhseItemJournalRegisterParams(decoding: try Params(p)) }
        #expect(
            try WhseItemJournalRegisterParams(decoding: try Params(p, admission: false)).lines.count
                == AdmissionLimits.maxJournalLines + 1)
    }
}
