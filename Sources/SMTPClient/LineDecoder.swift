import NIOCore

/// Splits the server's byte stream into lines (CRLF, or a bare LF from a sloppy server), without the line end.
/// A line longer than `maximumLength` is an error: RFC 5321 §4.5.3.1.5 caps reply lines at 512 octets, and a
/// generous cap keeps a broken or hostile server from growing the buffer without end.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    /// RFC 5321 allows 512 octets; a few KiB tolerates sloppy servers without letting a hostile one grow
    /// the buffer.
    var maximumLength = 4 * 1024

    struct LineTooLong: Error, CustomStringConvertible {
        var description: String { "the server sent a line longer than 4 KiB (SMTP allows 512 octets)" }
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let lf = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maximumLength { throw LineTooLong() }
            return .needMoreData
        }
        let length = lf - buffer.readerIndex
        if length > maximumLength { throw LineTooLong() }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)! }
        context.fireChannelRead(wrapInboundOut(String(buffer: line)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
