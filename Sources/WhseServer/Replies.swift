import WhseProtocol

/// Reply lines as bytes, sized before they are written: a result whose reply would exceed `maxReplyBytes` (or what
/// a batch has left of it) is answered with `limit_exceeded` instead (protocol.md 9).
/// Every error reply is counted in `metrics` by its reason (`whsed_refusals_total`).
enum Replies {
    static func failure(id: JSON?, _ error: RPCError, _ metrics: ServerMetrics) -> [UInt8] {
        metrics.refused(error)
        return RPCResponse.failure(id: id, error: error).serialized()
    }

    /// The success reply, or `limit_exceeded` naming `maxReplyBytes` when it does not fit in `room` bytes, or
    /// naming `maxTotalBufferBytes` when it does not fit in what all connections together may still hold
    /// (`totalLeft`; retry later). A posting refused this way has still been posted: `data.posted` says so.
    /// `tooLarge` is true when the reply was refused for `maxReplyBytes`.
    /// A successful result: as the handlers return it (`MethodResult`), or already serialized (`ServerCore.readSerialized`).
    enum Answer {
        /// A tree, or a posting's result (written member by member: `RPCResponse.serializedSuccess(id:posting:)`).
        case result(MethodResult)
        case serialized([UInt8])
    }

    static func success(
        id: JSON, _ answer: Answer, room: Int, totalLeft: Int, limits: Limits, inBatch: Bool,
        posted: Bool, _ metrics: ServerMetrics
    ) -> (bytes: [UInt8], tooLarge: Bool) {
        let bytes: [UInt8]
        switch answer {
        case .result(.tree(let result)): bytes = RPCResponse.serializedSuccess(id: id, result: result)
        case .result(.posting(let result)): bytes = RPCResponse.serializedSuccess(id: id, posting: result)
        case .serialized(let result): bytes = RPCResponse.success(id: id, serializedResult: result)
        }
        return sized(
            id: id, bytes, room: room, totalLeft: totalLeft, limits: limits, inBatch: inBatch, posted: posted,
            metrics)
    }

    private static func sized(
        id: JSON, _ bytes: [UInt8], room: Int, totalLeft: Int, limits: Limits, inBatch: Bool,
        posted: Bool, _ metrics: ServerMetrics
    ) -> (bytes: [UInt8], tooLarge: Bool) {
        if bytes.count <= room && bytes.count <= totalLeft { return (bytes, false) }
        let done = posted ? "; the posting itself was done" : ""
        var error: RPCError
        if bytes.count > room {
            let maxReply = limits.maxReplyBytes
            let message =
                inBatch && bytes.count <= maxReply
                ? "this reply (\(bytes.count) bytes) would take the batch reply over maxReplyBytes (\(maxReply)); "
                    + "send the request on its own or in a smaller batch"
                : "the reply (\(bytes.count) bytes) would exceed maxReplyBytes (\(maxReply)); "
                    + "ask for a page (after, limit)"
            error = .limitExceeded(message + done, limit: "maxReplyBytes", value: maxReply)
        } else {
            error = .limitExceeded(
                "the reply (\(bytes.count) bytes) does not fit in what whsed may hold for all "
                    + "connections now (maxTotalBufferBytes \(limits.maxTotalBufferBytes)); "
                    + "try again later" + done,
                limit: "maxTotalBufferBytes", value: limits.maxTotalBufferBytes)
        }
        error.data["replyBytes"] = JSON(bytes.count)
        if posted { error.data["posted"] = .bool(true) }
        return (failure(id: id, error, metrics), bytes.count > room)
    }

    /// The answer to a batch element that was not run because the batch reply is full.
    static func batchFull(id: JSON?, maxReplyBytes: Int, _ metrics: ServerMetrics) -> [UInt8] {
        failure(
            id: id,
            .limitExceeded(
                "not run: an earlier element took the batch reply to maxReplyBytes "
                    + "(\(maxReplyBytes)); send it again in another batch",
                limit: "maxReplyBytes", value: maxReplyBytes), metrics)
    }
}
