import Warehouse

/// Wire forms of the domain's values. Field names are the protocol's (camelCase, see protocol.md).
extension JSON {
    static func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    /// "" (no lot / serial) goes on the wire as null.
    static func code(_ s: String) -> JSON { s.isEmpty ? .null : .string(s) }
}

extension ItemTracking {
    public var json: JSON {
        .object(["lot": .bool(lot), "serial": .bool(serial), "expirationRequired": .bool(expirationRequired)])
    }
}

extension CountingPeriod {
    public var json: JSON {
        .object(["code": .string(code), "description": .string(description), "countFrequencyPerYear": JSON(frequency)])
    }
}

extension Reservation {
    /// Lean (protocol.md 11): see `MemberDefaults.reservation`.
    public var json: JSON {
        MemberDefaults.reservation.encode([
            "reservation": JSON(no), "location": .string(location), "item": .string(item), "lot": .code(lot),
            "serial": .code(serial), "quantityBase": quantityBase.json, "source": .string(source),
            "createdBy": .string(createdBy), "createdAt": .string(createdAt)
        ])
    }
}

extension Location {
    public var json: JSON {
        .object([
            "code": .string(code), "name": .string(name), "kind": .string(kind.rawValue),
            "adjustmentBin": .opt(adjustmentBin), "binCapacityPolicy": .string(binCapacityPolicy.rawValue),
            "checkWarehouseClass": .bool(checkWarehouseClass), "allowNegativeInventory": .bool(allowNegativeInventory)
        ])
    }
}

extension Zone {
    public var json: JSON {
        .object([
            "location": .string(location), "code": .string(code), "description": .string(description),
            "binType": .opt(binType), "warehouseClass": .opt(warehouseClass)
        ])
    }
}

extension Bin {
    public var json: JSON {
        .object([
            "location": .string(location), "code": .string(code), "description": .string(description),
            "zone": .opt(zone), "binType": .opt(binType), "blockMovement": .string(blockMovement.rawValue),
            "maximumCubage": maximumCubage.json, "maximumWeight": maximumWeight.json,
            "warehouseClass": .opt(warehouseClass)
        ])
    }
}

extension Item {
    public var json: JSON {
        .object([
            "no": .string(no), "description": .string(description), "baseUnitOfMeasure": .string(baseUnitOfMeasure),
            "unitsOfMeasure": .array(
                unitsOfMeasure.sorted { $0.key < $1.key }.map {
                    .object([
                        "code": .string($0.key), "quantityPerUnitOfMeasure": $0.value.json,
                        "roundingPrecision": precision($0.key).json,
                        "cubage": (unitMeasures[$0.key]?.cubage ?? .zero).json,
                        "weight": (unitMeasures[$0.key]?.weight ?? .zero).json
                    ])
                }),
            "blocked": .bool(blocked), "tracking": tracking.json, "warehouseClass": .opt(warehouseClass),
            "countingPeriod": .opt(countingPeriod),
            "lastCountingPeriodUpdate": .opt(lastCountingPeriodUpdate), "nextCountingStart": .opt(nextCountingStart),
            "nextCountingEnd": .opt(nextCountingEnd), "lastPhysInventoryDate": .opt(lastPhysInventoryDate)
        ])
    }
}

extension WarehouseEntry {
    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.warehouseEntry`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.warehouseEntry.encode(
            [
                "entryNo": JSON(entryNo), "entryType": .string(entryType.rawValue),
                "registeringDate": .string(registeringDate), "location": .string(location), "zone": .opt(zone),
                "bin": .string(bin), "item": .string(item),
                "quantity": quantity.json, "quantityBase": quantityBase.json, "unitOfMeasure": .string(unitOfMeasure),
                "quantityPerUnitOfMeasure": quantityPerUnit.json, "documentNo": .string(documentNo),
                "source": .string(source), "registerNo": JSON(registerNo), "user": .string(user),
                "timestamp": .string(timestamp), "lot": .code(lot), "serial": .code(serial),
                "expirationDate": .opt(expirationDate)
            ], selection)
    }
}

extension ItemLedgerEntry {
    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.itemLedgerEntry`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.itemLedgerEntry.encode(
            [
                "entryNo": JSON(entryNo), "entryType": .string(entryType.rawValue), "postingDate": .string(postingDate),
                "documentNo": .string(documentNo), "location": .string(location), "item": .string(item),
                "quantity": quantity.json, "unitOfMeasure": .string(unitOfMeasure),
                "quantityPerUnitOfMeasure": quantityPerUnit.json, "warehouseAdjustment": .bool(warehouseAdjustment),
                "source": .string(source), "user": .string(user), "timestamp": .string(timestamp),
                "lot": .code(lot), "serial": .code(serial), "expirationDate": .opt(expirationDate)
            ], selection)
    }
}

extension PhysInventoryLedgerEntry {
    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.physInventoryLedgerEntry`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.physInventoryLedgerEntry.encode(
            [
                "entryNo": JSON(entryNo), "entryType": .string(entryType.rawValue), "postingDate": .string(postingDate),
                "documentNo": .string(documentNo), "location": .string(location), "bin": .opt(bin),
                "item": .string(item),
                "quantity": quantity.json, "quantityCalculated": quantityCalculated.json,
                "quantityPhysInventory": quantityPhysInventory.json, "unitOfMeasure": .string(unitOfMeasure),
                "lastItemLedgerEntryNo": JSON(lastItemLedgerEntryNo), "user": .string(user),
                "timestamp": .string(timestamp), "lot": .code(lot), "serial": .code(serial),
                "countingPeriod": .opt(countingPeriod)
            ], selection)
    }
}

extension PostingSummary {
    public var json: JSON { PostingResult(self).encoded() }
}

extension BinContentRow {
    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.binContentRow`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.binContentRow.encode(
            [
                "location": .string(location), "zone": .opt(zone), "bin": .string(bin), "item": .string(item),
                "unitOfMeasure": .string(unitOfMeasure), "quantity": quantity.json, "quantityBase": quantityBase.json,
                "adjustmentBin": .bool(adjustmentBin), "lot": .code(lot), "serial": .code(serial),
                "expirationDate": .opt(expirationDate), "blocked": .bool(blocked),
                "default": .bool(setup?.isDefault ?? false), "fixed": .bool(setup?.fixed ?? false),
                "minQuantity": (setup?.minQuantity ?? .zero).json, "maxQuantity": (setup?.maxQuantity ?? .zero).json
            ],
            selection)
    }
}

extension Availability {
    public var json: JSON {
        .object([
            "location": .string(location), "item": .string(item), "inventory": inventory.json,
            "inBins": inBins.json, "adjustmentBin": adjustmentBin.json, "available": available.json,
            "availableToPick": availableToPick.json, "reserved": reserved.json,
            "availableToReserve": availableToReserve.json
        ])
    }
}

extension ItemJournalLine {
    public var json: JSON {
        .object([
            "entryType": .string(entryType.rawValue), "location": .string(location), "bin": .opt(bin),
            "item": .string(item), "quantity": quantity.json, "quantityBase": quantityBase.map(\.json) ?? .null,
            "unitOfMeasure": .opt(unitOfMeasure), "documentNo": .string(documentNo), "postingDate": .opt(postingDate),
            "warehouseAdjustment": .bool(warehouseAdjustment), "lot": .opt(lot), "serial": .opt(serial),
            "expirationDate": .opt(expirationDate),
            "tracking": .array(
                tracking.map { t in
                    .object([
                        "lot": .opt(t.lot), "serial": .opt(t.serial), "expirationDate": .opt(t.expirationDate),
                        "quantity": t.quantity.json, "quantityBase": t.quantityBase.map(\.json) ?? .null
                    ])
                })
        ])
    }
}

extension WhseCountJournal {
    /// The count list; `blind` (or a journal calculated blind) hides the calculated quantities and the preset counts.
    public func json(blind wantBlind: Bool, stale: [Int] = []) -> JSON {
        let blind = wantBlind || self.blind
        let staleSet = Set(stale)
        return .object([
            "journal": .string(name), "location": .string(location), "documentNo": .string(documentNo),
            "registeringDate": .string(registeringDate), "createdBy": .string(createdBy),
            "createdAt": .string(createdAt),
            "blind": .bool(blind),
            "lines": .array(
                lines.map { l in
                    var o: [String: JSON] = [
                        "lineNo": JSON(l.lineNo), "zone": .opt(l.zone), "bin": .string(l.bin), "item": .string(l.item),
                        "unitOfMeasure": .string(l.unitOfMeasure), "counted": .bool(l.counted),
                        "stale": .bool(staleSet.contains(l.lineNo)), "lot": .code(l.lot), "serial": .code(l.serial),
                        "expirationDate": .opt(l.expirationDate), "countingPeriod": .opt(l.countingPeriod)
                    ]
                    if blind {
                        o["quantityCalculated"] = .null
                        o["quantityPhysInventory"] = l.counted ? l.quantityPhysInventory.json : .null
                        o["difference"] = .null
                    } else {
                        o["quantityCalculated"] = l.quantityCalculated.json
                        o["quantityPhysInventory"] = l.quantityPhysInventory.json
                        o["difference"] = (l.quantityPhysInventory.subtracting(l.quantityCalculated) ?? .zero).json
                    }
                    return .object(o)
                })
        ])
    }
}

extension PhysInventoryJournal {
    public func json(stale: [Int] = []) -> JSON {
        let staleSet = Set(stale)
        return .object([
            "journal": .string(name), "location": .string(location), "documentNo": .string(documentNo),
            "postingDate": .string(postingDate), "createdBy": .string(createdBy), "createdAt": .string(createdAt),
            "lines": .array(
                lines.map { l in
                    let d = l.difference
                    return .object([
                        "lineNo": JSON(l.lineNo), "item": .string(l.item), "bin": .opt(l.bin),
                        "unitOfMeasure": .string(l.unitOfMeasure), "quantityCalculated": l.quantityCalculated.json,
                        "quantityPhysInventory": l.quantityPhysInventory.json, "counted": .bool(l.counted),
                        "entryType": .string(d.isNegative ? "negativeAdjmt" : "positiveAdjmt"),
                        "quantity": d.magnitude.json, "stale": .bool(staleSet.contains(l.lineNo)),
                        "lot": .code(l.lot), "serial": .code(l.serial), "countingPeriod": .opt(l.countingPeriod),
                        "expirationDate": .opt(l.expirationDate)
                    ])
                })
        ])
    }
}
