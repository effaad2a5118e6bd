import Warehouse
import WhseProtocol

/// Maps each method to the ledger call it makes with its typed params (WhseProtocol's `RPCParams`). The same table
/// serves live requests and log replay, so a replayed record takes exactly the path the live request took.
public enum Handlers {
    /// Decodes a request's params into the method's type, then runs it.
    public typealias Handler = @Sendable (Ledger, Params, PostingContext) throws(RPCError) -> JSON
    /// Runs a method on params already decoded (by `ParamsCatalogue.decode`).
    /// A posting's result comes back typed (`.posting`), so its reply is written without a tree.
    public typealias TypedHandler = @Sendable (Ledger, any RPCParams, PostingContext) throws(RPCError) -> MethodResult

    /// Most lines one journal request may carry (`maxJournalLines` in protocol.md); the params decoders check it.
    public static var maxJournalLines: Int {
        get { AdmissionLimits.maxJournalLines }
        set { AdmissionLimits.maxJournalLines = newValue }
    }

    /// Today's date (UTC) for a read that defaults to today; postings take theirs from the context stamped at
    /// acceptance.
    static func today(_ ctx: PostingContext) -> String { ctx.today.isEmpty ? utcNow().date : ctx.today }

    static func run<T>(_ body: () throws(DomainError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw RPCError(error) }
    }

    package static func page<E>(_ page: EntryPage<E>, _ encode: (E) -> JSON) -> JSON {
        EntriesPageResult(entries: page.entries.map(encode), nextAfter: page.nextAfter).encoded()
    }

    /// `item.availability` with `lots`: each lot of the item at the location, as the change feed's lot rows.
    static func lots(_ l: Ledger, _ a: Availability) -> [AvailabilityResult.Lot] {
        l.followLots(item: a.item, location: a.location).compactMap { lot in
            l.followAvailability(FollowAvailabilityKey(location: a.location, item: a.item, lot: lot)).map { f in
                AvailabilityResult.Lot(
                    lot: lot, availableToPick: f.availableToPick, availableToReserve: f.availableToReserve)
            }
        }
    }

    /// The reads answered as bytes, without a JSON tree: `bin.contents` and `item.bins` with lean rows (no `fields`).
    /// nil: any other request, which `table` answers. The bytes equal the serialized result `table` gives.
    public static func serializedRead(_ method: String, ledger l: Ledger, params: Params) -> Result<[UInt8], RPCError>?
    {
        do throws(RPCError) {
            switch method {
            case BinContentsParams.method:
                let p = try BinContentsParams(decoding: params)
                guard case .lean = p.fields else { return nil }
                return .success(BinContentRow.leanRowsResult(try contentRows(l, p)))
            case ItemBinsParams.method:
                let p = try ItemBinsParams(decoding: params)
                guard case .lean = p.fields else { return nil }
                return .success(BinContentRow.leanRowsResult(try contentRows(l, p)))
            default:
                return nil
            }
        } catch {
            return .failure(error)
        }
    }

    /// The rows of `bin.contents`, for `table` and `serializedRead`.
    static func contentRows(_ l: Ledger, _ p: BinContentsParams) throws(RPCError) -> [BinContentRow] {
        try run { () throws(DomainError) in
            try l.binContents(location: p.location, bin: p.bin, includeZero: p.includeZero ?? false)
        }
    }

    /// The rows of `item.bins`, for `table` and `serializedRead`.
    static func contentRows(_ l: Ledger, _ p: ItemBinsParams) throws(RPCError) -> [BinContentRow] {
        try run { () throws(DomainError) in
            try l.itemBins(item: p.item, location: p.location, includeZero: p.includeZero ?? false)
        }
    }

    static func rows(_ rows: [BinContentRow], _ selection: MemberSelection) -> JSON {
        BinContentRowsResult(rows: rows.map { $0.json(selection) }).encoded()
    }

    /// The handlers, registered one method at a time by its params type.
    struct Routes {
        var table: [String: TypedHandler] = [:]

        mutating func on<P: RPCParams>(
            _: P.Type, _ body: @escaping @Sendable (Ledger, P, PostingContext) throws(RPCError) -> JSON
        ) {
            precondition(table[P.method] == nil, "\(P.method) has two handlers")
            let handler: TypedHandler = {
                (l: Ledger, params: any RPCParams, ctx: PostingContext) throws(RPCError) -> MethodResult in
                .tree(try body(l, try Routes.cast(params, to: P.self), ctx))
            }
            table[P.method] = handler
        }

        /// A method that posts: its ledger call's summary becomes a `PostingResult`.
        mutating func posting<P: RPCParams>(
            _: P.Type, _ body: @escaping @Sendable (Ledger, P, PostingContext) throws(DomainError) -> PostingSummary
        ) {
            precondition(table[P.method] == nil, "\(P.method) has two handlers")
            let handler: TypedHandler = {
                (l: Ledger, params: any RPCParams, ctx: PostingContext) throws(RPCError) -> MethodResult in
                let p = try Routes.cast(params, to: P.self)
                return .posting(PostingResult(try run { () throws(DomainError) in try body(l, p, ctx) }))
            }
            table[P.method] = handler
        }

        static func cast<P: RPCParams>(_ params: any RPCParams, to _: P.Type) throws(RPCError) -> P {
            guard let p = params as? P else {
                throw RPCError.internalError("\(P.method) was handed \(type(of: params)) instead of its params")
            }
            return p
        }
    }

    /// Every method but the server.* ones, which the server answers itself.
    public static let typed: [String: TypedHandler] = {
        var r = Routes()
        masterData(&r)
        countingPeriods(&r)
        reservations(&r)
        journals(&r)
        counting(&r)
        queries(&r)
        return r.table
    }()

    /// `typed`, decoding the params first.
    public static let table: [String: Handler] = Dictionary(
        uniqueKeysWithValues: typed.map { method, handler in
            guard let type = ParamsCatalogue.byMethod[method] else {
                preconditionFailure("\(method) has no params type")
            }
            let decoded: Handler = { l, p, ctx throws(RPCError) in
                try handler(l, try type.init(decoding: p), ctx).json
            }
            return (method, decoded)
        })

    // MARK: Master data

    static func masterData(_ r: inout Routes) {
        r.on(LocationCreateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                LocationResult(
                    try l.createLocation(
                        code: p.code, name: p.name ?? "", kind: p.kind ?? .directed,
                        adjustmentBin: p.adjustmentBin ?? "ADJ", adjustmentZone: p.adjustmentZone ?? "ADJUSTMENT",
                        binCapacityPolicy: p.binCapacityPolicy ?? .never,
                        checkWarehouseClass: p.checkWarehouseClass ?? false,
                        allowNegativeInventory: p.allowNegativeInventory ?? false
                    )
                ).encoded()
            }
        }
        r.on(LocationUpdateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                LocationResult(
                    try l.updateLocation(
                        code: p.code, name: p.name, binCapacityPolicy: p.binCapacityPolicy,
                        checkWarehouseClass: p.checkWarehouseClass,
                        allowNegativeInventory: p.allowNegativeInventory
                    )
                ).encoded()
            }
        }
        r.on(BinContentSetupParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                let s = try l.setupBinContent(
                    location: p.location, bin: p.bin, item: p.item, unitOfMeasure: p.unitOfMeasure,
                    minQuantity: p.minQuantity, maxQuantity: p.maxQuantity, fixed: p.fixed,
                    isDefault: p.isDefault)
                let u = p.unitOfMeasure ?? l.state.items[p.item]?.baseUnitOfMeasure ?? ""
                return BinContentSetupResult(
                    location: p.location, bin: p.bin, item: p.item, unitOfMeasure: u,
                    minQuantity: s.minQuantity, maxQuantity: s.maxQuantity, fixed: s.fixed,
                    isDefault: s.isDefault
                ).encoded()
            }
        }
        r.posting(LocationConvertToDirectedParams.self) { l, p, ctx throws(DomainError) in
            try l.convertToDirected(
                location: p.code, adjustmentBin: p.adjustmentBin ?? "ADJ",
                adjustmentZone: p.adjustmentZone ?? "ADJUSTMENT", registeringDate: p.registeringDate,
                context: ctx)
        }
        r.on(LocationGetParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in LocationResult(try l.location(p.code)).encoded() }
        }
        r.on(LocationListParams.self) { l, _, _ throws(RPCError) in
            LocationListResult(
                locations: l.state.locations.values.sorted { $0.code < $1.code }.map(LocationResult.init)
            ).encoded()
        }
        r.on(ZoneCreateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                ZoneResult(
                    try l.createZone(
                        location: p.location, code: p.code, description: p.description ?? "", binType: p.binType,
                        warehouseClass: p.warehouseClass
                    )
                ).encoded()
            }
        }
        r.on(ZoneListParams.self) { l, p, _ throws(RPCError) in
            _ = try run { () throws(DomainError) in try l.location(p.location) }
            let zones = l.state.zones.values.filter { $0.location == p.location }.sorted { $0.code < $1.code }
            return ZoneListResult(zones: zones.map(ZoneResult.init)).encoded()
        }
        r.on(BinCreateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                BinResult(
                    try l.createBin(
                        location: p.location, code: p.code, description: p.description ?? "", zone: p.zone,
                        binType: p.binType, blockMovement: p.blockMovement ?? BlockMovement.none,
                        maximumCubage: p.maximumCubage ?? .zero, maximumWeight: p.maximumWeight ?? .zero,
                        warehouseClass: p.warehouseClass
                    )
                ).encoded()
            }
        }
        r.on(BinUpdateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                BinResult(
                    try l.updateBin(
                        location: p.location, code: p.code, description: p.description, blockMovement: p.blockMovement,
                        binType: p.binType, maximumCubage: p.maximumCubage, maximumWeight: p.maximumWeight,
                        warehouseClass: p.warehouseClass
                    )
                ).encoded()
            }
        }
        r.on(BinListParams.self) { l, p, _ throws(RPCError) in
            let loc = p.location
            let zone = p.zone
            _ = try run { () throws(DomainError) in try l.location(loc) }
            let bins = l.state.bins.values.filter { $0.location == loc && (zone == nil || $0.zone == zone) }
                .sorted { $0.code < $1.code }
            let adjustmentBin = l.state.locations[loc]?.adjustmentBin
            return BinListResult(bins: bins.map { BinResult($0, adjustmentBin: adjustmentBin == $0.code) }).encoded()
        }
        r.on(ItemCreateParams.self) { l, p, _ throws(RPCError) in
            let base = p.baseUnitOfMeasure ?? ItemCreateParams.defaultBaseUnit
            var precision: [String: Quantity] = [:]
            var measures: [String: UnitMeasure] = [:]
            let units = p.unitsOfMeasure.map { u -> (code: String, quantityPerUnit: Quantity) in
                if let r = u.roundingPrecision { precision[u.code] = r }
                if u.cubage != nil || u.weight != nil {
                    measures[u.code] = UnitMeasure(cubage: u.cubage ?? .zero, weight: u.weight ?? .zero)
                }
                // Only the base unit may leave its quantity out (the decoder checked): it is 1.
                return (u.code, u.quantityPerUnitOfMeasure ?? Quantity(1))
            }
            return try run { () throws(DomainError) in
                ItemResult(
                    try l.createItem(
                        no: p.no, description: p.description ?? "", baseUnitOfMeasure: base, unitsOfMeasure: units,
                        tracking: p.tracking, roundingPrecision: precision, warehouseClass: p.warehouseClass,
                        unitMeasures: measures
                    )
                ).encoded()
            }
        }
        r.on(ItemGetParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in ItemResult(try l.item(p.no)).encoded() }
        }
        r.on(ItemListParams.self) { l, _, _ throws(RPCError) in
            ItemListResult(items: l.state.items.values.sorted { $0.no < $1.no }.map(ItemResult.init)).encoded()
        }
        r.on(ItemTrackingSetBlockedParams.self) { l, p, _ throws(RPCError) in
            let b = try run { () throws(DomainError) in
                try l.setTrackingBlocked(item: p.item, lot: p.lot, serial: p.serial, blocked: p.blocked)
            }
            return TrackingBlockedResult(item: p.item, lot: p.lot, serial: p.serial, blocked: b).encoded()
        }
    }

    static func countingPeriods(_ r: inout Routes) {
        r.on(ItemSetCountingPeriodParams.self) { l, p, ctx throws(RPCError) in
            try run { () throws(DomainError) in
                ItemResult(
                    try l.setItemCountingPeriod(item: p.item, period: p.countingPeriod, date: p.date ?? ctx.today)
                ).encoded()
            }
        }
        r.on(CountingPeriodCreateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                CountingPeriodResult(
                    try l.createCountingPeriod(
                        code: p.code, description: p.description ?? "",
                        frequency: p.countFrequencyPerYear ?? 1
                    )
                ).encoded()
            }
        }
        r.on(CountingPeriodListParams.self) { l, _, _ throws(RPCError) in
            CountingPeriodListResult(
                countingPeriods: l.state.countingPeriods.values.sorted { $0.code < $1.code }
                    .map(CountingPeriodResult.init)
            ).encoded()
        }
        r.on(CountingPeriodDueParams.self) { l, p, ctx throws(RPCError) in
            let date = p.date ?? today(ctx)
            return try run { () throws(DomainError) in
                CountingPeriodDueResult(
                    date: date,
                    items: try l.itemsDueForCounting(on: date, period: p.countingPeriod).map(ItemResult.init)
                ).encoded()
            }
        }
    }

    // MARK: Reservations

    static func reservations(_ r: inout Routes) {
        r.on(ReservationCreateParams.self) { l, p, ctx throws(RPCError) in
            try run { () throws(DomainError) in
                ReservationResult(
                    try l.createReservation(
                        location: p.location, item: p.item, quantity: p.quantity, unitOfMeasure: p.unitOfMeasure,
                        lot: p.lot, serial: p.serial, source: p.source ?? "", context: ctx
                    )
                ).encoded()
            }
        }
        r.on(ReservationCancelParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                ReservationResult(try l.cancelReservation(p.reservation), cancelled: true).encoded()
            }
        }
        r.on(ReservationListParams.self) { l, p, _ throws(RPCError) in
            let loc = p.location
            let item = p.item
            let rs = l.state.reservations.values.filter {
                (loc == nil || $0.location == loc) && (item == nil || $0.item == item)
            }
            .sorted { $0.no < $1.no }
            return ReservationListResult(reservations: rs.map { ReservationResult($0) }).encoded()
        }
    }

    // MARK: Journals

    static func journals(_ r: inout Routes) {
        r.posting(WhseItemJournalRegisterParams.self) { l, p, ctx throws(DomainError) in
            try l.registerWhseItemJournal(
                location: p.location, documentNo: p.documentNo ?? "",
                registeringDate: p.registeringDate, lines: p.lines, context: ctx)
        }
        r.posting(WhseReclassJournalRegisterParams.self) { l, p, ctx throws(DomainError) in
            try l.registerWhseReclassJournal(
                location: p.location, documentNo: p.documentNo ?? "",
                registeringDate: p.registeringDate, lines: p.lines, context: ctx)
        }
        r.posting(ItemReclassJournalPostParams.self) { l, p, ctx throws(DomainError) in
            try l.postItemReclassJournal(
                documentNo: p.documentNo ?? "", postingDate: p.postingDate, lines: p.lines, context: ctx)
        }
        r.on(ItemJournalCalculateWhseAdjustmentParams.self) { l, p, ctx throws(RPCError) in
            let batch = p.batch ?? ItemJournalGetParams.defaultBatch
            let lines = try run { () throws(DomainError) in
                try l.calculateWhseAdjustment(
                    batch: batch, location: p.location, item: p.item, documentNo: p.documentNo ?? "",
                    postingDate: p.postingDate, context: ctx)
            }
            return ItemJournalBatchResult(
                batch: batch, added: lines.map(ItemJournalLineResult.init),
                lines: (l.state.itemJournalBatches[batch]?.lines ?? []).map(ItemJournalLineResult.init)
            ).encoded()
        }
        r.on(ItemJournalGetParams.self) { l, p, _ throws(RPCError) in
            let batch = p.batch ?? ItemJournalGetParams.defaultBatch
            return ItemJournalBatchResult(
                batch: batch, lines: (l.state.itemJournalBatches[batch]?.lines ?? []).map(ItemJournalLineResult.init)
            ).encoded()
        }
        r.on(ItemJournalDeleteParams.self) { l, p, _ throws(RPCError) in
            let batch = p.batch ?? ItemJournalDeleteParams.defaultBatch
            try run { () throws(DomainError) in try l.deleteItemJournalBatch(batch) }
            return BatchDeletedResult(batch: batch).encoded()
        }
        r.posting(ItemJournalPostParams.self) { l, p, ctx throws(DomainError) in
            if let batch = p.batch { return try l.postItemJournalBatch(batch, context: ctx) }
            let doc = p.documentNo ?? ""
            let lines = p.lines.map { $0.ledgerLine(documentNo: doc, postingDate: p.postingDate) }
            return try l.postItemJournal(lines: lines, context: ctx)
        }
    }

    // MARK: Counting

    static func counting(_ r: inout Routes) {
        r.on(WhsePhysInventoryCalculateParams.self) { l, p, ctx throws(RPCError) in
            try run { () throws(DomainError) in
                try l.calculateWhseCount(
                    location: p.location, journal: p.journal, documentNo: p.documentNo ?? "",
                    registeringDate: p.registeringDate, zone: p.zone, bin: p.bin, item: p.item,
                    includeZero: p.includeZero ?? false, blind: p.blind ?? false,
                    countingPeriodDue: p.countingPeriodDue ?? false, context: ctx
                ).json(blind: false)
            }
        }
        r.on(WhsePhysInventoryGetParams.self) { l, p, _ throws(RPCError) in
            var j = try run { () throws(DomainError) in try l.whseCountJournal(p.journal) }
            let stale = l.staleWhseCountLines(j)
            let page = linePage(j.lines, lineNo: \.lineNo, after: p.after, limit: p.limit)
            if let page { j.lines = page.lines }
            return WhseCountJournalResult(
                j, blind: p.blind ?? false, stale: stale, nextAfter: page.map { $0.nextAfter }
            ).encoded()
        }
        r.on(WhsePhysInventoryListParams.self) { l, _, _ throws(RPCError) in
            CountJournalListResult(
                journals: l.state.whseCountJournals.values.sorted { $0.name < $1.name }
                    .map(CountJournalListResult.Summary.init)
            ).encoded()
        }
        r.on(WhsePhysInventoryRecordCountsParams.self) { l, p, ctx throws(RPCError) in
            try run { () throws(DomainError) in
                let j = try l.recordWhseCounts(journal: p.journal, counts: p.counts, context: ctx)
                return j.json(blind: false, stale: l.staleWhseCountLines(j))
            }
        }
        r.on(WhsePhysInventoryRecalculateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                let j = try l.recalculateWhseCount(journal: p.journal, lines: p.lines)
                return j.json(blind: false, stale: l.staleWhseCountLines(j))
            }
        }
        r.on(WhsePhysInventoryDeleteParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in try l.deleteWhseCount(journal: p.journal) }
            return JournalDeletedResult(journal: p.journal).encoded()
        }
        r.posting(WhsePhysInventoryRegisterParams.self) { l, p, ctx throws(DomainError) in
            try l.registerWhseCount(journal: p.journal, context: ctx)
        }
        r.on(PhysInventoryCalculateParams.self) { l, p, ctx throws(RPCError) in
            try run { () throws(DomainError) in
                try l.calculatePhysInventory(
                    location: p.location, journal: p.journal, documentNo: p.documentNo ?? "",
                    postingDate: p.postingDate, item: p.item, bin: p.bin,
                    includeZero: p.includeZero ?? false, countingPeriodDue: p.countingPeriodDue ?? false,
                    context: ctx
                ).json()
            }
        }
        r.on(PhysInventoryGetParams.self) { l, p, _ throws(RPCError) in
            var j = try run { () throws(DomainError) in try l.physInventoryJournal(p.journal) }
            let stale = l.stalePhysInventoryLines(j)
            let page = linePage(j.lines, lineNo: \.lineNo, after: p.after, limit: p.limit)
            if let page { j.lines = page.lines }
            return PhysInventoryJournalResult(j, stale: stale, nextAfter: page.map { $0.nextAfter }).encoded()
        }
        r.on(PhysInventoryListParams.self) { l, _, _ throws(RPCError) in
            CountJournalListResult(
                journals: l.state.physInventoryJournals.values.sorted { $0.name < $1.name }
                    .map(CountJournalListResult.Summary.init)
            ).encoded()
        }
        r.on(PhysInventoryRecordCountsParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                let j = try l.recordPhysInventoryCounts(journal: p.journal, counts: p.counts)
                return j.json(stale: l.stalePhysInventoryLines(j))
            }
        }
        r.on(PhysInventoryRecalculateParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                let j = try l.recalculatePhysInventory(journal: p.journal, lines: p.lines)
                return j.json(stale: l.stalePhysInventoryLines(j))
            }
        }
        r.on(PhysInventoryDeleteParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in try l.deletePhysInventory(journal: p.journal) }
            return JournalDeletedResult(journal: p.journal).encoded()
        }
        r.posting(PhysInventoryPostParams.self) { l, p, ctx throws(DomainError) in
            try l.postPhysInventory(journal: p.journal, context: ctx)
        }
    }

    // MARK: Queries

    /// Runs a read of entries that may come from the history files; a file that cannot be read is an internal error.
    static func history<T>(_ body: () throws -> T) throws(RPCError) -> T {
        do {
            return try body()
        } catch {
            throw RPCError.internalError("the history files cannot be read: \(error)")
        }
    }

    static func queries(_ r: inout Routes) {
        r.on(BinContentsParams.self) { l, p, _ throws(RPCError) in rows(try contentRows(l, p), p.fields) }
        r.on(ItemBinsParams.self) { l, p, _ throws(RPCError) in rows(try contentRows(l, p), p.fields) }
        r.on(ItemAvailabilityParams.self) { l, p, _ throws(RPCError) in
            try run { () throws(DomainError) in
                ItemAvailabilityResult(
                    locations: try l.availability(item: p.item, location: p.location).map { a in
                        AvailabilityResult(a, lots: p.lots == true ? lots(l, a) : nil)
                    }
                ).encoded()
            }
        }
        r.on(WarehouseEntriesParams.self) { l, p, _ throws(RPCError) in
            page(try history { try l.warehouseEntries(p.filter.entryFilter) }) { $0.json(p.fields) }
        }
        r.on(ItemEntriesParams.self) { l, p, _ throws(RPCError) in
            page(try history { try l.itemLedgerEntries(p.filter.entryFilter) }) { $0.json(p.fields) }
        }
        r.on(PhysInventoryEntriesParams.self) { l, p, _ throws(RPCError) in
            page(try history { try l.physInventoryEntries(p.filter.entryFilter) }) { $0.json(p.fields) }
        }
        // Served by the connection itself (FollowStream); reached only from a batch.
        r.on(EntriesFollowParams.self) { _, _, _ throws(RPCError) in
            throw RPCError.invalidRequest("entries.follow cannot be part of a batch: send it alone")
        }
    }
}
