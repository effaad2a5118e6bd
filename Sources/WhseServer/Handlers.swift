import Warehouse
import WhseProtocol

/// Maps each method to the ledger call it makes. The same table serves live requests and log replay, so a
/// replayed record takes exactly the path the live request took.
public enum Handlers {
    public typealias Handler = @Sendable (Ledger, Params, PostingContext) throws(RPCError) -> JSON

    /// Most lines one journal request may carry (`maxJournalLines` in protocol.md).
    nonisolated(unsafe) public static var maxJournalLines = 10_000

    /// Today's date (UTC) for a read that defaults to today; postings take theirs from the context stamped at acceptance.
    static func today(_ ctx: PostingContext) -> String { ctx.today.isEmpty ? utcNow().date : ctx.today }

    static func run<T>(_ body: () throws(DomainError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw RPCError(error) }
    }

    static func filter(_ p: Params, binFilter: Bool = true) throws(RPCError) -> EntryFilter {
        var allowed: Set<String> = ["location", "item", "entryType", "documentNo", "lot", "serial", "after", "limit",
                                    "fields"]
        if binFilter { allowed.insert("bin") }   // item ledger entries carry no bin
        try p.allowOnly(allowed)
        return EntryFilter(
            location: try p.optionalString("location"), bin: try p.optionalString("bin"), item: try p.optionalString("item"),
            entryType: try p.optionalEnum("entryType", EntryType.self), documentNo: try p.optionalString("documentNo"),
            lot: try p.optionalString("lot"), serial: try p.optionalString("serial"),
            after: try p.optionalInt("after", range: 0...Int.max) ?? 0,
            limit: try p.optionalInt("limit", range: 1...EntryFilter.maxLimit) ?? 100)
    }

    static func counts(_ p: Params) throws(RPCError) -> [CountInput] {
        try p.objects("counts", max: maxJournalLines) { (c: Params) throws(RPCError) -> CountInput in
            try c.allowOnly(Handlers.countKeys)
            return CountInput(lineNo: try c.optionalInt("lineNo"), bin: try c.optionalString("bin"),
                              item: try c.optionalString("item"), unitOfMeasure: try c.optionalString("unitOfMeasure"),
                              quantity: try c.quantity("quantity"), lot: try c.optionalString("lot"),
                              serial: try c.optionalString("serial"), expirationDate: try c.optionalString("expirationDate"))
        }
    }

    static func page<E>(_ page: EntryPage<E>, _ encode: (E) -> JSON) -> JSON {
        .object(["entries": .array(page.entries.map(encode)), "nextAfter": page.nextAfter.map { JSON($0) } ?? .null])
    }

    static func rows(_ rows: [BinContentRow], _ selection: MemberSelection) -> JSON {
        .object(["rows": .array(rows.map { $0.json(selection) })])
    }

    // Keys of the objects parsed once per journal line, built once.
    static let whseItemLineKeys: Set<String> = ["item", "zone", "bin", "quantity", "unitOfMeasure", "lot", "serial", "expirationDate"]
    static let whseReclassLineKeys: Set<String> = ["item", "fromBin", "toBin", "quantity", "unitOfMeasure", "lot", "serial", "newLot", "newSerial", "newExpirationDate"]
    static let itemJournalLineKeys: Set<String> = ["entryType", "location", "bin", "item", "quantity", "unitOfMeasure", "documentNo", "postingDate", "lot", "serial", "expirationDate", "tracking"]
    static let trackingLineKeys: Set<String> = ["lot", "serial", "expirationDate", "quantity"]
    static let countKeys: Set<String> = ["lineNo", "bin", "item", "unitOfMeasure", "quantity", "lot", "serial", "expirationDate"]
    static let itemReclassLineKeys: Set<String> = ["item", "location", "bin", "newLocation", "newBin", "quantity", "unitOfMeasure", "lot", "serial", "newLot", "newSerial", "newExpirationDate"]

    /// Every method but the server.* ones, which the server answers itself.
    public static let table: [String: Handler] = [
        "location.create": { l, p, _ throws(RPCError) in
            try p.allowOnly(["code", "name", "kind", "adjustmentBin", "adjustmentZone", "binCapacityPolicy", "checkWarehouseClass",
                             "allowNegativeInventory", "idempotencyKey"])
            let allowNegative = try p.optionalBool("allowNegativeInventory") ?? false
            let code = try p.string("code"), name = try p.optionalText("name") ?? ""
            let policy = try p.optionalEnum("binCapacityPolicy", CapacityPolicy.self) ?? .never
            let checkClass = try p.optionalBool("checkWarehouseClass") ?? false
            let kind = try p.optionalEnum("kind", LocationKind.self) ?? .directed
            if kind != .directed {
                for k in ["adjustmentBin", "adjustmentZone"] where p.object[k] != nil {
                    throw RPCError.invalidParams("\(k) applies only to directed locations", param: k)
                }
            }
            let adj = try p.optionalString("adjustmentBin") ?? "ADJ"
            let zone = try p.optionalString("adjustmentZone") ?? "ADJUSTMENT"
            return try run { () throws(DomainError) in
                try l.createLocation(code: code, name: name, kind: kind, adjustmentBin: adj, adjustmentZone: zone,
                                     binCapacityPolicy: policy, checkWarehouseClass: checkClass,
                                     allowNegativeInventory: allowNegative).json
            }
        },
        "location.update": { l, p, _ throws(RPCError) in
            try p.allowOnly(["code", "name", "binCapacityPolicy", "checkWarehouseClass", "allowNegativeInventory", "idempotencyKey"])
            let allowNegative = try p.optionalBool("allowNegativeInventory")
            let code = try p.string("code"), name = try p.optionalText("name")
            let policy = try p.optionalEnum("binCapacityPolicy", CapacityPolicy.self)
            let checkClass = try p.optionalBool("checkWarehouseClass")
            return try run { () throws(DomainError) in
                try l.updateLocation(code: code, name: name, binCapacityPolicy: policy, checkWarehouseClass: checkClass,
                                     allowNegativeInventory: allowNegative).json
            }
        },
        "binContent.setup": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location", "bin", "item", "unitOfMeasure", "minQuantity", "maxQuantity", "fixed", "default",
                             "idempotencyKey"])
            let loc = try p.string("location"), bin = try p.string("bin"), item = try p.string("item")
            let unit = try p.optionalString("unitOfMeasure")
            let minQ = try p.optionalQuantity("minQuantity"), maxQ = try p.optionalQuantity("maxQuantity")
            let fixed = try p.optionalBool("fixed"), isDefault = try p.optionalBool("default")
            return try run { () throws(DomainError) in
                let s = try l.setupBinContent(location: loc, bin: bin, item: item, unitOfMeasure: unit, minQuantity: minQ,
                                              maxQuantity: maxQ, fixed: fixed, isDefault: isDefault)
                let u = unit ?? l.state.items[item]?.baseUnitOfMeasure ?? ""
                return .object(["location": .string(loc), "bin": .string(bin), "item": .string(item), "unitOfMeasure": .string(u),
                                "minQuantity": s.minQuantity.json, "maxQuantity": s.maxQuantity.json, "fixed": .bool(s.fixed),
                                "default": .bool(s.isDefault)])
            }
        },
        "location.convertToDirected": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["code", "adjustmentBin", "adjustmentZone", "registeringDate", "idempotencyKey"])
            let code = try p.string("code")
            let adj = try p.optionalString("adjustmentBin") ?? "ADJ"
            let zone = try p.optionalString("adjustmentZone") ?? "ADJUSTMENT"
            let date = try p.optionalString("registeringDate")
            return try run { () throws(DomainError) in
                try l.convertToDirected(location: code, adjustmentBin: adj, adjustmentZone: zone, registeringDate: date,
                                        context: ctx).json
            }
        },
        "location.get": { l, p, _ throws(RPCError) in
            try p.allowOnly(["code"])
            let code = try p.string("code")
            return try run { () throws(DomainError) in try l.location(code).json }
        },
        "location.list": { l, p, _ throws(RPCError) in
            try p.allowOnly([])
            return .object(["locations": .array(l.state.locations.values.sorted { $0.code < $1.code }.map(\.json))])
        },
        "zone.create": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location", "code", "description", "binType", "warehouseClass", "idempotencyKey"])
            let loc = try p.string("location"), code = try p.string("code")
            let d = try p.optionalText("description") ?? "", t = try p.optionalString("binType")
            let c = try p.optionalString("warehouseClass")
            return try run { () throws(DomainError) in
                try l.createZone(location: loc, code: code, description: d, binType: t, warehouseClass: c).json
            }
        },
        "zone.list": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location"])
            let loc = try p.string("location")
            _ = try run { () throws(DomainError) in try l.location(loc) }
            let zones = l.state.zones.values.filter { $0.location == loc }.sorted { $0.code < $1.code }
            return .object(["zones": .array(zones.map(\.json))])
        },
        "bin.create": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location", "code", "description", "zone", "binType", "blockMovement", "maximumCubage", "maximumWeight",
                             "warehouseClass", "idempotencyKey"])
            let loc = try p.string("location"), code = try p.string("code")
            let d = try p.optionalText("description") ?? "", z = try p.optionalString("zone")
            let t = try p.optionalString("binType")
            let b = try p.optionalEnum("blockMovement", BlockMovement.self) ?? BlockMovement.none
            let cub = try p.optionalQuantity("maximumCubage") ?? .zero, wt = try p.optionalQuantity("maximumWeight") ?? .zero
            let c = try p.optionalString("warehouseClass")
            return try run { () throws(DomainError) in
                try l.createBin(location: loc, code: code, description: d, zone: z, binType: t, blockMovement: b, maximumCubage: cub,
                                maximumWeight: wt, warehouseClass: c).json
            }
        },
        "bin.update": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location", "code", "description", "binType", "blockMovement", "maximumCubage", "maximumWeight",
                             "warehouseClass", "idempotencyKey"])
            let loc = try p.string("location"), code = try p.string("code")
            let d = try p.optionalText("description"), t = try p.optionalString("binType")
            let b = try p.optionalEnum("blockMovement", BlockMovement.self)
            let cub = try p.optionalQuantity("maximumCubage"), wt = try p.optionalQuantity("maximumWeight")
            // warehouseClass: a string sets it, null clears it, absent leaves it.
            let c: String?? = p.object["warehouseClass"] == nil ? nil : .some(try p.optionalString("warehouseClass"))
            return try run { () throws(DomainError) in
                try l.updateBin(location: loc, code: code, description: d, blockMovement: b, binType: t, maximumCubage: cub,
                                maximumWeight: wt, warehouseClass: c).json
            }
        },
        "bin.list": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location", "zone"])
            let loc = try p.string("location"), zone = try p.optionalString("zone")
            _ = try run { () throws(DomainError) in try l.location(loc) }
            let bins = l.state.bins.values.filter { $0.location == loc && (zone == nil || $0.zone == zone) }
                .sorted { $0.code < $1.code }
            return .object(["bins": .array(bins.map { b in
                var o = b.json
                if case .object(var d) = o {
                    d["adjustmentBin"] = .bool(l.state.locations[loc]?.adjustmentBin == b.code)
                    o = .object(d)
                }
                return o
            })])
        },
        "item.create": { l, p, _ throws(RPCError) in
            try p.allowOnly(["no", "description", "baseUnitOfMeasure", "unitsOfMeasure", "tracking", "warehouseClass", "idempotencyKey"])
            let no = try p.string("no"), d = try p.optionalText("description") ?? ""
            let base = try p.optionalString("baseUnitOfMeasure") ?? "PCS"
            let whseClass = try p.optionalString("warehouseClass")
            var precision: [String: Quantity] = [:]
            var measures: [String: UnitMeasure] = [:]
            let units = try p.objects("unitsOfMeasure", max: 50, limit: "maxUnitsOfMeasure", required: false) {
                (u: Params) throws(RPCError) -> (code: String, quantityPerUnit: Quantity) in
                try u.allowOnly(["code", "quantityPerUnitOfMeasure", "roundingPrecision", "cubage", "weight"])
                let code = try u.string("code")
                if let r = try u.optionalQuantity("roundingPrecision") { precision[code] = r }
                let cub = try u.optionalQuantity("cubage"), wt = try u.optionalQuantity("weight")
                if cub != nil || wt != nil { measures[code] = UnitMeasure(cubage: cub ?? .zero, weight: wt ?? .zero) }
                if code == base, try u.optionalQuantity("quantityPerUnitOfMeasure") == nil { return (code, Quantity(1)) }
                return (code, try u.quantity("quantityPerUnitOfMeasure"))
            }
            let t = try Params(p.object["tracking"], path: "tracking.", admission: p.admission)
            try t.allowOnly(["lot", "serial", "expirationRequired"])
            let tracking = ItemTracking(lot: try t.optionalBool("lot") ?? false, serial: try t.optionalBool("serial") ?? false,
                                        expirationRequired: try t.optionalBool("expirationRequired") ?? false)
            return try run { () throws(DomainError) in
                try l.createItem(no: no, description: d, baseUnitOfMeasure: base, unitsOfMeasure: units, tracking: tracking,
                                 roundingPrecision: precision, warehouseClass: whseClass, unitMeasures: measures).json
            }
        },
        "item.get": { l, p, _ throws(RPCError) in
            try p.allowOnly(["no"])
            let no = try p.string("no")
            return try run { () throws(DomainError) in try l.item(no).json }
        },
        "item.list": { l, p, _ throws(RPCError) in
            try p.allowOnly([])
            return .object(["items": .array(l.state.items.values.sorted { $0.no < $1.no }.map(\.json))])
        },
        "item.setCountingPeriod": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["item", "countingPeriod", "date", "idempotencyKey"])
            let item = try p.string("item"), period = try p.optionalString("countingPeriod")
            let date = try p.optionalString("date") ?? ctx.today
            return try run { () throws(DomainError) in try l.setItemCountingPeriod(item: item, period: period, date: date).json }
        },
        "itemTracking.setBlocked": { l, p, _ throws(RPCError) in
            try p.allowOnly(["item", "lot", "serial", "blocked", "idempotencyKey"])
            let item = try p.string("item"), lot = try p.optionalString("lot"), serial = try p.optionalString("serial")
            guard let blocked = try p.optionalBool("blocked") else {
                throw RPCError.invalidParams("blocked is required", param: "blocked")
            }
            let b = try run { () throws(DomainError) in try l.setTrackingBlocked(item: item, lot: lot, serial: serial, blocked: blocked) }
            return .object(["item": .string(item), "lot": lot.map { .string($0) } ?? .null, "serial": serial.map { .string($0) } ?? .null,
                            "blocked": .bool(b)])
        },
        "countingPeriod.create": { l, p, _ throws(RPCError) in
            try p.allowOnly(["code", "description", "countFrequencyPerYear", "idempotencyKey"])
            let code = try p.string("code"), d = try p.optionalText("description") ?? ""
            let f = try p.optionalInt("countFrequencyPerYear", range: 1...365) ?? 1
            return try run { () throws(DomainError) in try l.createCountingPeriod(code: code, description: d, frequency: f).json }
        },
        "countingPeriod.list": { l, p, _ throws(RPCError) in
            try p.allowOnly([])
            return .object(["countingPeriods": .array(l.state.countingPeriods.values.sorted { $0.code < $1.code }.map(\.json))])
        },
        "countingPeriod.due": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["date", "countingPeriod"])
            let date = try p.optionalString("date") ?? today(ctx), period = try p.optionalString("countingPeriod")
            return try run { () throws(DomainError) in
                .object(["date": .string(date), "items": .array(try l.itemsDueForCounting(on: date, period: period).map(\.json))])
            }
        },
        "reservation.create": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["location", "item", "quantity", "unitOfMeasure", "lot", "serial", "source", "idempotencyKey"])
            let loc = try p.string("location"), item = try p.string("item"), q = try p.quantity("quantity")
            let u = try p.optionalString("unitOfMeasure"), lot = try p.optionalString("lot"), serial = try p.optionalString("serial")
            let source = try p.optionalString("source") ?? ""
            return try run { () throws(DomainError) in
                try l.createReservation(location: loc, item: item, quantity: q, unitOfMeasure: u, lot: lot, serial: serial,
                                        source: source, context: ctx).json
            }
        },
        "reservation.cancel": { l, p, _ throws(RPCError) in
            try p.allowOnly(["reservation", "idempotencyKey"])
            guard let no = try p.optionalInt("reservation", range: 1...Int.max) else {
                throw RPCError.invalidParams("reservation is required", param: "reservation")
            }
            return try run { () throws(DomainError) in
                var o = try l.cancelReservation(no).json
                if case .object(var d) = o { d["cancelled"] = .bool(true); o = .object(d) }
                return o
            }
        },
        "reservation.list": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location", "item"])
            let loc = try p.optionalString("location"), item = try p.optionalString("item")
            let rs = l.state.reservations.values.filter { (loc == nil || $0.location == loc) && (item == nil || $0.item == item) }
                .sorted { $0.no < $1.no }
            return .object(["reservations": .array(rs.map(\.json))])
        },
        "itemReclassJournal.post": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["documentNo", "postingDate", "lines", "idempotencyKey"])
            let doc = try p.optionalString("documentNo") ?? "", date = try p.optionalString("postingDate")
            let lines = try p.objects("lines", max: maxJournalLines) { (x: Params) throws(RPCError) -> ItemReclassJournalLine in
                try x.allowOnly(Handlers.itemReclassLineKeys)
                return ItemReclassJournalLine(
                    item: try x.string("item"), location: try x.string("location"), bin: try x.optionalString("bin"),
                    newLocation: try x.optionalString("newLocation"), newBin: try x.optionalString("newBin"),
                    quantity: try x.quantity("quantity"), unitOfMeasure: try x.optionalString("unitOfMeasure"),
                    lot: try x.optionalString("lot"), serial: try x.optionalString("serial"), newLot: try x.optionalString("newLot"),
                    newSerial: try x.optionalString("newSerial"), newExpirationDate: try x.optionalString("newExpirationDate"))
            }
            return try run { () throws(DomainError) in
                try l.postItemReclassJournal(documentNo: doc, postingDate: date, lines: lines, context: ctx).json
            }
        },
        "whseItemJournal.register": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["location", "documentNo", "registeringDate", "lines", "idempotencyKey"])
            let loc = try p.string("location"), doc = try p.optionalString("documentNo") ?? ""
            let date = try p.optionalString("registeringDate")
            let lines = try p.objects("lines", max: maxJournalLines) { (x: Params) throws(RPCError) -> WhseItemJournalLine in
                try x.allowOnly(Handlers.whseItemLineKeys)
                return WhseItemJournalLine(item: try x.string("item"), zone: try x.optionalString("zone"),
                                           bin: try x.string("bin"), quantity: try x.quantity("quantity"),
                                           unitOfMeasure: try x.optionalString("unitOfMeasure"), lot: try x.optionalString("lot"),
                                           serial: try x.optionalString("serial"),
                                           expirationDate: try x.optionalString("expirationDate"))
            }
            return try run { () throws(DomainError) in
                try l.registerWhseItemJournal(location: loc, documentNo: doc, registeringDate: date, lines: lines, context: ctx).json
            }
        },
        "whseReclassJournal.register": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["location", "documentNo", "registeringDate", "lines", "idempotencyKey"])
            let loc = try p.string("location"), doc = try p.optionalString("documentNo") ?? ""
            let date = try p.optionalString("registeringDate")
            let lines = try p.objects("lines", max: maxJournalLines) { (x: Params) throws(RPCError) -> WhseReclassJournalLine in
                try x.allowOnly(Handlers.whseReclassLineKeys)
                return WhseReclassJournalLine(item: try x.string("item"), fromBin: try x.string("fromBin"),
                                              toBin: try x.string("toBin"), quantity: try x.quantity("quantity"),
                                              unitOfMeasure: try x.optionalString("unitOfMeasure"), lot: try x.optionalString("lot"),
                                              serial: try x.optionalString("serial"), newLot: try x.optionalString("newLot"),
                                              newSerial: try x.optionalString("newSerial"),
                                              newExpirationDate: try x.optionalString("newExpirationDate"))
            }
            return try run { () throws(DomainError) in
                try l.registerWhseReclassJournal(location: loc, documentNo: doc, registeringDate: date, lines: lines, context: ctx).json
            }
        },
        "itemJournal.calculateWhseAdjustment": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["batch", "location", "item", "documentNo", "postingDate", "idempotencyKey"])
            let batch = try p.optionalString("batch") ?? "DEFAULT"
            let loc = try p.optionalString("location"), item = try p.optionalString("item")
            let doc = try p.optionalString("documentNo") ?? "", date = try p.optionalString("postingDate")
            let lines = try run { () throws(DomainError) in
                try l.calculateWhseAdjustment(batch: batch, location: loc, item: item, documentNo: doc, postingDate: date, context: ctx)
            }
            return .object(["batch": .string(batch), "added": .array(lines.map(\.json)),
                            "lines": .array((l.state.itemJournalBatches[batch]?.lines ?? []).map(\.json))])
        },
        "itemJournal.get": { l, p, _ throws(RPCError) in
            try p.allowOnly(["batch"])
            let batch = try p.optionalString("batch") ?? "DEFAULT"
            return .object(["batch": .string(batch),
                            "lines": .array((l.state.itemJournalBatches[batch]?.lines ?? []).map(\.json))])
        },
        "itemJournal.delete": { l, p, _ throws(RPCError) in
            try p.allowOnly(["batch", "idempotencyKey"])
            let batch = try p.optionalString("batch") ?? "DEFAULT"
            try run { () throws(DomainError) in try l.deleteItemJournalBatch(batch) }
            return .object(["batch": .string(batch), "deleted": .bool(true)])
        },
        "itemJournal.post": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["batch", "lines", "documentNo", "postingDate", "idempotencyKey"])
            if let batch = try p.optionalString("batch") {
                for k in ["lines", "documentNo", "postingDate"] where p.object[k] != nil {
                    throw RPCError.invalidParams("\(k) does not go with batch: a batch's lines carry their own", param: k)
                }
                return try run { () throws(DomainError) in try l.postItemJournalBatch(batch, context: ctx).json }
            }
            let doc = try p.optionalString("documentNo") ?? "", date = try p.optionalString("postingDate")
            let lines = try p.objects("lines", max: maxJournalLines) { (x: Params) throws(RPCError) -> ItemJournalLine in
                try x.allowOnly(Handlers.itemJournalLineKeys)
                guard let type = try x.optionalEnum("entryType", EntryType.self) else {
                    throw RPCError.invalidParams("\(x.path)entryType is required", param: "\(x.path)entryType")
                }
                let tracking = try x.objects("tracking", max: Ledger.maxTrackingLines, limit: "maxTrackingLines", required: false) {
                    (t: Params) throws(RPCError) -> TrackingLine in
                    try t.allowOnly(Handlers.trackingLineKeys)
                    return TrackingLine(lot: try t.optionalString("lot"), serial: try t.optionalString("serial"),
                                        expirationDate: try t.optionalString("expirationDate"), quantity: try t.quantity("quantity"))
                }
                return ItemJournalLine(entryType: type, location: try x.string("location"), bin: try x.optionalString("bin"),
                                       item: try x.string("item"), quantity: try x.quantity("quantity"),
                                       unitOfMeasure: try x.optionalString("unitOfMeasure"),
                                       documentNo: try x.optionalString("documentNo") ?? doc,
                                       postingDate: try x.optionalString("postingDate") ?? date,
                                       lot: try x.optionalString("lot"), serial: try x.optionalString("serial"),
                                       expirationDate: try x.optionalString("expirationDate"), tracking: tracking)
            }
            return try run { () throws(DomainError) in try l.postItemJournal(lines: lines, context: ctx).json }
        },
        "whsePhysInventory.calculate": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["location", "journal", "documentNo", "registeringDate", "zone", "bin", "item", "includeZero",
                             "blind", "countingPeriodDue", "idempotencyKey"])
            let due = try p.optionalBool("countingPeriodDue") ?? false
            let loc = try p.string("location"), journal = try p.optionalString("journal")
            let doc = try p.optionalString("documentNo") ?? "", date = try p.optionalString("registeringDate")
            let zone = try p.optionalString("zone"), bin = try p.optionalString("bin"), item = try p.optionalString("item")
            let zero = try p.optionalBool("includeZero") ?? false, blind = try p.optionalBool("blind") ?? false
            return try run { () throws(DomainError) in
                try l.calculateWhseCount(location: loc, journal: journal, documentNo: doc, registeringDate: date, zone: zone,
                                         bin: bin, item: item, includeZero: zero, blind: blind, countingPeriodDue: due,
                                         context: ctx).json(blind: false)
            }
        },
        "whsePhysInventory.get": { l, p, _ throws(RPCError) in
            try p.allowOnly(["journal", "blind", "after", "limit"])
            let name = try p.string("journal"), blind = try p.optionalBool("blind") ?? false
            var j = try run { () throws(DomainError) in try l.whseCountJournal(name) }
            let stale = l.staleWhseCountLines(j)
            let page = try linePage(j.lines, lineNo: \.lineNo, p)
            if let page { j.lines = page.lines }
            return withNextAfter(j.json(blind: blind, stale: stale), paged: page != nil, nextAfter: page?.nextAfter)
        },
        "whsePhysInventory.list": { l, p, _ throws(RPCError) in
            try p.allowOnly([])
            return .object(["journals": .array(l.state.whseCountJournals.values.sorted { $0.name < $1.name }.map { j in
                .object(["journal": .string(j.name), "location": .string(j.location), "documentNo": .string(j.documentNo),
                         "lines": JSON(j.lines.count), "counted": JSON(j.lines.filter(\.counted).count),
                         "blind": .bool(j.blind), "createdBy": .string(j.createdBy), "createdAt": .string(j.createdAt)])
            })])
        },
        "whsePhysInventory.recordCounts": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["journal", "counts", "idempotencyKey"])
            let name = try p.string("journal"), c = try counts(p)
            return try run { () throws(DomainError) in
                let j = try l.recordWhseCounts(journal: name, counts: c, context: ctx)
                return j.json(blind: false, stale: l.staleWhseCountLines(j))
            }
        },
        "whsePhysInventory.recalculate": { l, p, _ throws(RPCError) in
            try p.allowOnly(["journal", "lines", "idempotencyKey"])
            let name = try p.string("journal"), lines = try p.optionalInts("lines", max: maxJournalLines)
            return try run { () throws(DomainError) in
                let j = try l.recalculateWhseCount(journal: name, lines: lines)
                return j.json(blind: false, stale: l.staleWhseCountLines(j))
            }
        },
        "whsePhysInventory.delete": { l, p, _ throws(RPCError) in
            try p.allowOnly(["journal", "idempotencyKey"])
            let name = try p.string("journal")
            try run { () throws(DomainError) in try l.deleteWhseCount(journal: name) }
            return .object(["journal": .string(name), "deleted": .bool(true)])
        },
        "whsePhysInventory.register": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["journal", "idempotencyKey"])
            let name = try p.string("journal")
            return try run { () throws(DomainError) in try l.registerWhseCount(journal: name, context: ctx).json }
        },
        "physInventory.calculate": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["location", "journal", "documentNo", "postingDate", "item", "bin", "includeZero", "countingPeriodDue",
                             "idempotencyKey"])
            let due = try p.optionalBool("countingPeriodDue") ?? false
            let loc = try p.string("location"), journal = try p.optionalString("journal")
            let doc = try p.optionalString("documentNo") ?? "", date = try p.optionalString("postingDate")
            let item = try p.optionalString("item"), bin = try p.optionalString("bin")
            let zero = try p.optionalBool("includeZero") ?? false
            return try run { () throws(DomainError) in
                try l.calculatePhysInventory(location: loc, journal: journal, documentNo: doc, postingDate: date, item: item,
                                             bin: bin, includeZero: zero, countingPeriodDue: due, context: ctx).json()
            }
        },
        "physInventory.get": { l, p, _ throws(RPCError) in
            try p.allowOnly(["journal", "after", "limit"])
            let name = try p.string("journal")
            var j = try run { () throws(DomainError) in try l.physInventoryJournal(name) }
            let stale = l.stalePhysInventoryLines(j)
            let page = try linePage(j.lines, lineNo: \.lineNo, p)
            if let page { j.lines = page.lines }
            return withNextAfter(j.json(stale: stale), paged: page != nil, nextAfter: page?.nextAfter)
        },
        "physInventory.list": { l, p, _ throws(RPCError) in
            try p.allowOnly([])
            return .object(["journals": .array(l.state.physInventoryJournals.values.sorted { $0.name < $1.name }.map { j in
                .object(["journal": .string(j.name), "location": .string(j.location), "documentNo": .string(j.documentNo),
                         "lines": JSON(j.lines.count), "counted": JSON(j.lines.filter(\.counted).count),
                         "createdBy": .string(j.createdBy), "createdAt": .string(j.createdAt)])
            })])
        },
        "physInventory.recordCounts": { l, p, _ throws(RPCError) in
            try p.allowOnly(["journal", "counts", "idempotencyKey"])
            let name = try p.string("journal"), c = try counts(p)
            return try run { () throws(DomainError) in
                let j = try l.recordPhysInventoryCounts(journal: name, counts: c)
                return j.json(stale: l.stalePhysInventoryLines(j))
            }
        },
        "physInventory.recalculate": { l, p, _ throws(RPCError) in
            try p.allowOnly(["journal", "lines", "idempotencyKey"])
            let name = try p.string("journal"), lines = try p.optionalInts("lines", max: maxJournalLines)
            return try run { () throws(DomainError) in
                let j = try l.recalculatePhysInventory(journal: name, lines: lines)
                return j.json(stale: l.stalePhysInventoryLines(j))
            }
        },
        "physInventory.delete": { l, p, _ throws(RPCError) in
            try p.allowOnly(["journal", "idempotencyKey"])
            let name = try p.string("journal")
            try run { () throws(DomainError) in try l.deletePhysInventory(journal: name) }
            return .object(["journal": .string(name), "deleted": .bool(true)])
        },
        "physInventory.post": { l, p, ctx throws(RPCError) in
            try p.allowOnly(["journal", "idempotencyKey"])
            let name = try p.string("journal")
            return try run { () throws(DomainError) in try l.postPhysInventory(journal: name, context: ctx).json }
        },
        "bin.contents": { l, p, _ throws(RPCError) in
            try p.allowOnly(["location", "bin", "includeZero", "fields"])
            let loc = try p.string("location"), bin = try p.string("bin"), zero = try p.optionalBool("includeZero") ?? false
            let fields = try p.memberSelection(of: .binContentRow)
            return try run { () throws(DomainError) in
                rows(try l.binContents(location: loc, bin: bin, includeZero: zero), fields)
            }
        },
        "item.bins": { l, p, _ throws(RPCError) in
            try p.allowOnly(["item", "location", "includeZero", "fields"])
            let item = try p.string("item"), loc = try p.optionalString("location")
            let zero = try p.optionalBool("includeZero") ?? false
            let fields = try p.memberSelection(of: .binContentRow)
            return try run { () throws(DomainError) in
                rows(try l.itemBins(item: item, location: loc, includeZero: zero), fields)
            }
        },
        "item.availability": { l, p, _ throws(RPCError) in
            try p.allowOnly(["item", "location"])
            let item = try p.string("item"), loc = try p.optionalString("location")
            return try run { () throws(DomainError) in
                .object(["locations": .array(try l.availability(item: item, location: loc).map(\.json))])
            }
        },
        "entries.warehouse": { l, p, _ throws(RPCError) in
            let f = try filter(p), fields = try p.memberSelection(of: .warehouseEntry)
            return page(l.warehouseEntries(f)) { $0.json(fields) }
        },
        "entries.item": { l, p, _ throws(RPCError) in
            let f = try filter(p, binFilter: false), fields = try p.memberSelection(of: .itemLedgerEntry)
            return page(l.itemLedgerEntries(f)) { $0.json(fields) }
        },
        "entries.physInventory": { l, p, _ throws(RPCError) in
            let f = try filter(p), fields = try p.memberSelection(of: .physInventoryLedgerEntry)
            return page(l.physInventoryEntries(f)) { $0.json(fields) }
        },
    ]
}
